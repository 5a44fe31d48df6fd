"""The staff API (/api/v1): JSON for machine clients registered by an administrator, in the prison service's
codes, on the same use cases as the pages. Clients authenticate with OAuth 2.0 client credentials."""
