"""The code of notebooks/01_self_attention.ipynb, beside the shared core and toolkits.

Modules: data (the chapter notes' numbers), figures, explorer (the attention explorer), exercises.
Importing this package imports none of them: a notebook imports what it uses.
"""
