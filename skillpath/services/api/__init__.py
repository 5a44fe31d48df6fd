"""The staff API's own rules: machine clients and their tokens, what a client may see (its caseload),
cursors, ETags and the JSON shapes of the resources. The API's writes go through the same use cases as the pages.
"""
