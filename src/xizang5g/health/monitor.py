"""The ambulance monitor as an IoT product: its thing model declares the capability
"vital_signs", to which the health app subscribes (NEWS2 on every update). The demo and the
benchmark create the product from it; a vendor's own monitor product needs only the same
capability and property identifiers."""

MONITOR_PRODUCT_KEY = "xzAmbulanceMonitor"

MONITOR_THING_MODEL = {
    "capabilities": ["vital_signs"],
    "properties": [
        {
            "identifier": "heart_rate",
            "name": "心率",
            "dataType": {"type": "int", "specs": {"min": "0", "max": "300", "unit": "/min"}},
        },
        {
            "identifier": "respiration_rate",
            "name": "呼吸频率",
            "dataType": {"type": "int", "specs": {"min": "0", "max": "100", "unit": "/min"}},
        },
        {
            "identifier": "spo2",
            "name": "血氧饱和度",
            "dataType": {"type": "int", "specs": {"min": "0", "max": "100", "unit": "%"}},
        },
        {
            "identifier": "systolic_bp",
            "name": "收缩压",
            "dataType": {"type": "int", "specs": {"min": "0", "max": "300", "unit": "mmHg"}},
        },
        {
            "identifier": "temperature_c",
            "name": "体温",
            "dataType": {"type": "float", "specs": {"min": "20", "max": "45", "unit": "°C"}},
        },
        {
            "identifier": "consciousness",
            "name": "意识(ACVPU)",
            "dataType": {"type": "text", "specs": {"length": "1"}},
        },
        {
            "identifier": "on_oxygen",
            "name": "吸氧",
            "dataType": {"type": "bool", "specs": {"0": "否", "1": "是"}},
        },
        {
            "identifier": "spo2_scale",
            "name": "SpO2量表",
            "dataType": {"type": "int", "specs": {"min": "1", "max": "2"}},
        },
        {
            "identifier": "lon",
            "name": "经度",
            "dataType": {"type": "double", "specs": {"min": "-180", "max": "180"}},
        },
        {
            "identifier": "lat",
            "name": "纬度",
            "dataType": {"type": "double", "specs": {"min": "-90", "max": "90"}},
        },
    ],
}
