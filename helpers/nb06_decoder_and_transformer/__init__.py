"""The code of notebooks/06_decoder_and_transformer.ipynb, beside the shared core and toolkits.

Modules: data (toy vocabularies, an untrained Transformer), figures, explorer (the decoding
stepper), exercises.
Importing this package imports none of them: a notebook imports what it uses.
"""
