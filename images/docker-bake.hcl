# docker buildx bake -f images/docker-bake.hcl   (from the repository root)
# One image per variant, tagged asya-state-proxy-<variant>.

variable "TAG" { default = "latest" }

group "default" {
  targets = ["redis-buffered-cas", "s3-buffered-lww", "s3-buffered-cas", "s3-passthrough"]
}

target "_common" {
  context    = "."
  dockerfile = "images/Dockerfile"
}

target "redis-buffered-cas" {
  inherits = ["_common"]
  args     = { VARIANT = "redis-buffered-cas", NODE_OLD_SPACE_MIB = "24" }
  tags     = ["asya-state-proxy-redis-buffered-cas:${TAG}"]
}

target "s3-buffered-lww" {
  inherits = ["_common"]
  args     = { VARIANT = "s3-buffered-lww" }
  tags     = ["asya-state-proxy-s3-buffered-lww:${TAG}"]
}

target "s3-buffered-cas" {
  inherits = ["_common"]
  args     = { VARIANT = "s3-buffered-cas" }
  tags     = ["asya-state-proxy-s3-buffered-cas:${TAG}"]
}

target "s3-passthrough" {
  inherits = ["_common"]
  args     = { VARIANT = "s3-passthrough" }
  tags     = ["asya-state-proxy-s3-passthrough:${TAG}"]
}
