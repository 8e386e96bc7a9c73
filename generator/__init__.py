"""gluegen: declare an AWS Glue workflow once, get a correct Terraform module for it."""

__version__ = "0.1.0"
