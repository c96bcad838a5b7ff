"""Owner-maintained inputs: costs and business outcomes the owner keeps in two CSV files.

``spec`` holds the file contracts, ``csv_files`` validates a file completely (every problem with
its line), ``load`` replaces a business's rows in ``raw.input__costs``/``raw.input__outcomes``.
The templates and the rules for owners are in ``templates/`` and ``README.md``.
"""
