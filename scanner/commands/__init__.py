"""Click commands kept out of ``scanner/cli.py``; registered there with ``main.add_command``."""
