"""A test-only app: a plain Wagtail form page that benchmarks compare against."""
