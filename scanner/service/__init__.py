"""Pindai as a service: scheduled runs, their report folders, notifications and dataset updates.
"""
