"""People and their accounts: creating and activating accounts, sessions, recovery, establishments and cohorts,
transfers, release, custody details fading and closing an account.
"""
