"""comptoir's Open edX XBlocks, installed as ``comptoir.xblocks``.

``comptoir_adaptive`` (:mod:`.adaptive`, entry point ``xblock.v1``) needs the ``openedx`` extra
(``pip install 'comptoir[openedx]'``); :mod:`.content` and :mod:`.handlers` are plain Python, so the
OLX exporter and tests use them without XBlock installed.
"""
