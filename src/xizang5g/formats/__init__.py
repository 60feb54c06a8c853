"""Date and number formats per UI language (settings.FORMAT_MODULE_PATH); see docs/glossary.md."""
