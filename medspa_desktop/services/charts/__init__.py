"""Patient charts: patients, the chart, intake, contraindications, alerts, notes, photos."""
