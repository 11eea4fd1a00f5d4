"""Congress.gov: the API v3 client (client.py, errors.py: HTTP only, knows nothing of the database
or Discord), the pure mapping of its answers to Oversight Desk's facts (mapping.py), and the sync
that writes them into the shared dataset through the write path (sync.py)."""
