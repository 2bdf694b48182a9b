"""Migration files of the provincial registry (schema ``province``); package data only."""
