"""Home Assistant over MQTT discovery: a sensor per active parcel, summaries, availability."""
