"""XING company pages: no API, a CSV the owner fills from the XING admin screens."""
