"""X (Twitter) API v2: the business's own account, its posts with their metrics, and replies."""
