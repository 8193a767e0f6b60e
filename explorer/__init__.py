"""MobileNet Explorer: explore MobileNet v1 costs and classify live frames.

Subpackages, in dependency order (each may import only those before it):
``arch`` (pure cost model) -> ``keras_builder`` (TensorFlow, imported lazily) ->
``vision`` (frames, preprocessing, inference) -> ``ui`` (Qt).  ``cli`` ties them together.
"""

__version__ = "0.1.0"
