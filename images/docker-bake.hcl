# docker buildx bake -f images/docker-bake.hcl [target...]   (from the repository root)
# One image per variant, asya-state-proxy-<variant>. Bake takes each variable from the environment
# variable of the same name: the release workflow sets VERSION, REVISION and SOURCE.

# The release's version without the v of its tag, e.g. 1.4.0 or 1.5.0-rc.1.
variable "VERSION" {
  default = "dev"
}

# The commit and the repository URL the image was built from (OCI labels).
variable "REVISION" {
  default = "unknown"
}
variable "SOURCE" {
  default = ""
}

group "default" {
  targets = ["redis-buffered-cas", "s3-buffered-lww", "s3-buffered-cas", "s3-passthrough"]
}

# The platforms the images are released for. A builder without emulation builds one of them:
#   docker buildx bake -f images/docker-bake.hcl --set '*.platform=linux/amd64' --load
# A target's args are merged with the args it inherits.
target "_common" {
  context    = "."
  dockerfile = "images/Dockerfile"
  platforms  = ["linux/amd64", "linux/arm64"]
  args = {
    VERSION  = VERSION
    REVISION = REVISION
    SOURCE   = SOURCE
  }
}

# The image names and tags. Empty here; the release workflow's docker/metadata-action writes a
# second bake file that fills this target, scripts/build-images sets local ones.
target "docker-metadata-action" {
}

target "redis-buffered-cas" {
  inherits = ["_common", "docker-metadata-action"]
  args     = { VARIANT = "redis-buffered-cas", NODE_OLD_SPACE_MIB = "20" }
}

target "s3-buffered-lww" {
  inherits = ["_common", "docker-metadata-action"]
  args     = { VARIANT = "s3-buffered-lww" }
}

target "s3-buffered-cas" {
  inherits = ["_common", "docker-metadata-action"]
  args     = { VARIANT = "s3-buffered-cas" }
}

target "s3-passthrough" {
  inherits = ["_common", "docker-metadata-action"]
  args     = { VARIANT = "s3-passthrough" }
}
