"""A learner closes their own account: what happens, download first, choose about certificates, confirm."""
