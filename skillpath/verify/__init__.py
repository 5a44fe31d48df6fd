"""Public certificate checks for employers: the page, the JSON API, the issuer's keys and profile."""
