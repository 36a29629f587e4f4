"""The validation gate: every tabular resource is read whole, checked
against its Table Schema and the Chinese domain rules, and loaded into the
DataStore only when it passes."""
