#!/bin/sh
# HEIC and AVIF photos with the place in their EXIF, as iPhones (HEIC) and newer Android phones
# (AVIF) write them: libheif's heif-enc 1.15.1 (Debian 12, libheif-examples; x265 and libaom),
# from assets/photos/storm-gps.jpg, whose EXIF (GPS 60.1699 N, 24.9384 E) it carries over.
set -e
PHOTO=../../photos/storm-gps.jpg
heif-enc -q 60 -o storm-gps.heic "$PHOTO"
heif-enc -A -q 60 -o storm-gps.avif "$PHOTO"
