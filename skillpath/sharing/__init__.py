"""Share links: a learner's links to some of their certificates, and the public page each link opens."""
