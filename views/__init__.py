"""Views, mirroring models/: generated CRUD and REST APIs on the shared base layer (``views.base``)."""
