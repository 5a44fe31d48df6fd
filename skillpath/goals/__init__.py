"""The learner's goals and the steps towards them."""
