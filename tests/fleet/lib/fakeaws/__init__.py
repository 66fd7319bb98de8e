"""A local ELBv2 + EC2 Query API endpoint and instance metadata service for hoist's tests (see fake_aws.py)."""
