"""Notify: the digest for legal staff, department alerts, the outbox and SMTP delivery (DESIGN §8).

- ``gather``: what one run found, read from the registry (shared by the digest and the alerts)
- ``digest``: the run's digest (HTML + Markdown) and the index of all digests
- ``alerts``: one e-mail per department with new flags, and the digest e-mail, into the outbox
- ``outbox``: messages stored before they are sent, one per (run, kind, scope, recipient)
- ``deliver``: SMTP delivery with retries and no double sends; ``compose`` builds each message
- ``publish``: the notify stage of a nightly run (digest → outbox → delivery)
- ``render``/``templates``: the Jinja2 environment (autoescaped) and templates
"""
