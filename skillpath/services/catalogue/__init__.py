"""The catalogue: DDaT roles and skills, our modules, importing the official data, and what a learner may choose."""
