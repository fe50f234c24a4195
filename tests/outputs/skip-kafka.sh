#!/bin/sh
# skip-kafka.sh - stands in for test-kafka when configure found no
# librdkafka (or was given --without-kafka).
echo "SKIP: built without Kafka (configure --with-kafka needs librdkafka-dev)"
exit 77
