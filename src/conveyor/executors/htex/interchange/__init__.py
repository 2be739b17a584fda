"""The interchange: a broker process matching queued tasks with worker pools."""
