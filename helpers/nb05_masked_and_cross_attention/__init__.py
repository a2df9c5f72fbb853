"""The code of notebooks/05_masked_and_cross_attention.ipynb, beside the shared core and toolkits.

Modules: data (bilingual word vectors, built cross-attention heads), figures, explorer, exercises.
Importing this package imports none of them: a notebook imports what it uses.
"""
