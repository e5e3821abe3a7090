"""Offline AWS emulator harness: moto server (with extensions) + Terraform runner."""
