"""The code of notebooks/09_real_bert.ipynb, beside the shared core and toolkits.

Modules: data (head patterns; the reference numbers bert_reference.npz), figures, explorer (the
head gallery), exercises.
Importing this package imports none of them: a notebook imports what it uses.
"""
