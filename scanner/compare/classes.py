"""Whether what answers on a registry row can be the collector the row's deployment records.

A registry lists authorised *collectors* of a deployment with its modalities (video, face,
fingerprint, palm vein, iris). A matched device that is no collector at all (a printer on a
camera's MAC) means the row is wrong or the device was replaced; a collector whose class
serves none of the deployment's modalities (a face terminal filed under a video-only
deployment) collects something the registry does not declare.
"""

from __future__ import annotations

from scanner.models import BIOMETRIC_CLASSES, DeviceClass, Reason, Severity
from scanner.registry.model import BIOMETRIC_MODALITIES, Deployment, Modality

_CAMERA = frozenset({Modality.VIDEO, Modality.FACE})
#: The modalities each collector class can serve (cameras and recorders also capture faces).
SERVES: dict[DeviceClass, frozenset[Modality]] = {
    DeviceClass.IP_CAMERA: _CAMERA,
    DeviceClass.NVR_DVR: _CAMERA,
    DeviceClass.VIDEO_DOORBELL: _CAMERA,
    DeviceClass.FACE_TERMINAL: frozenset({Modality.FACE}),
    DeviceClass.FINGERPRINT_READER: frozenset({Modality.FINGERPRINT}),
    DeviceClass.PALM_VEIN: frozenset({Modality.PALM_VEIN}),
    DeviceClass.IRIS_SCANNER: frozenset({Modality.IRIS}),
    DeviceClass.ACCESS_CONTROL: BIOMETRIC_MODALITIES,
    DeviceClass.BIOMETRIC_UNKNOWN: BIOMETRIC_MODALITIES,
}


def class_problem(cls: DeviceClass | None, dep: Deployment) -> tuple[Reason, Severity] | None:
    """(reason, severity) when a device of class ``cls`` cannot be ``dep``'s collector."""
    if cls is None:
        return None
    serves = SERVES.get(cls)
    if serves is None:
        return Reason.NOT_A_COLLECTOR, Severity.MEDIUM
    if serves & set(dep.modalities):
        return None
    severity = Severity.HIGH if cls in BIOMETRIC_CLASSES else Severity.MEDIUM
    return Reason.MODALITY_MISMATCH, severity
