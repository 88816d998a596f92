"""The read side: queries answered in the HTTP contract's shapes, straight from the read ports
(``service_layer.ports``), never through the domain. Writes go through the service layer."""
