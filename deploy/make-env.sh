#!/bin/sh
# Prints a fresh .env for docker-compose.yml: every secret drawn from /dev/urandom.
#   deploy/make-env.sh > .env && chmod 600 .env
set -eu
hex() { od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n'; }
cat <<ENV
# docker-compose.yml's secrets, made by deploy/make-env.sh on $(date -u +%Y-%m-%d). Keep this
# file private and backed up: PETPIXEL_DATA_KEY seals customers' contact details (lose it and
# they cannot be read), PETPIXEL_JWT_SECRET signs sessions (change it and everyone signs in again).
POSTGRES_PASSWORD=$(hex 24)
PETPIXEL_JWT_SECRET=$(hex 32)
PETPIXEL_DATA_KEY=$(hex 32)
GARAGE_RPC_SECRET=$(hex 32)
GARAGE_ADMIN_TOKEN=$(hex 32)
# Garage's key format: GK and 24 hex digits; a 64-digit secret.
S3_ACCESS_KEY_ID=GK$(hex 12)
S3_SECRET_ACCESS_KEY=$(hex 32)
# Where people reach the studio (links in e-mails, game addresses).
PETPIXEL_PUBLIC_URL=http://localhost:3000
# SMTP_URL=smtp://user:password@mail.example.com:587
ENV
