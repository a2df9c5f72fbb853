"""The code of notebooks/02_multi_head_attention.ipynb, beside the shared core and toolkits.

Modules: data (word features and the heads built from them), figures, explorer, exercises.
Importing this package imports none of them: a notebook imports what it uses.
"""
