"""What only ogx (llama-stack) recordings have: the request hash and the file names
it gives (``hashing``, ``rename``), id normalization (``normalize``,
``toolcalls``), the shipped schema and the checks beyond it (``schema``,
``checks``), the shapes a recording takes (``shapes``), and ``explain``.
The container itself, how a recording becomes an exchange, is
``recctl.containers.ogx``.
"""
