"""Dashboards: the establishment view for heads of education and administrators, charts and CSV exports."""
