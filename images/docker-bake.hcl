# docker buildx bake -f images/docker-bake.hcl [target...]   (from the repository root)
# One image per variant: ${REGISTRY}/asya-state-proxy-<variant>, tagged ${VERSION}; a release
# version x.y.z is also tagged x.y and latest. Bake takes each variable from the environment
# variable of the same name: the release workflow sets REGISTRY, VERSION, REVISION and SOURCE.
#
# packages/release-checks reads this file with a reader of the HCL written here (blocks,
# attributes, strings with ${} interpolation, lists, maps, function calls, == and ? :); a
# construct it does not know makes its test fail, not pass.

# ghcr.io/<owner>, in lower case; empty for a local build: asya-state-proxy-<variant>:<version>.
variable "REGISTRY" {
  default = ""
}

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

function "image" {
  params = [variant]
  result = REGISTRY == "" ? "asya-state-proxy-${variant}" : "${REGISTRY}/asya-state-proxy-${variant}"
}

# A release (x.y.z) is also x.y and latest; a pre-release (1.5.0-rc.1) or a local build only its
# own version, so that x.y and latest always name a release.
function "tags" {
  params = [variant]
  result = length(regexall("^[0-9]+\\.[0-9]+\\.[0-9]+$", VERSION)) == 1 ? [
    "${image(variant)}:${VERSION}",
    "${image(variant)}:${regex("^[0-9]+\\.[0-9]+", VERSION)}",
    "${image(variant)}:latest",
  ] : ["${image(variant)}:${VERSION}"]
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

target "redis-buffered-cas" {
  inherits = ["_common"]
  args     = { VARIANT = "redis-buffered-cas", NODE_OLD_SPACE_MIB = "20" }
  tags     = tags("redis-buffered-cas")
}

target "s3-buffered-lww" {
  inherits = ["_common"]
  args     = { VARIANT = "s3-buffered-lww" }
  tags     = tags("s3-buffered-lww")
}

target "s3-buffered-cas" {
  inherits = ["_common"]
  args     = { VARIANT = "s3-buffered-cas" }
  tags     = tags("s3-buffered-cas")
}

target "s3-passthrough" {
  inherits = ["_common"]
  args     = { VARIANT = "s3-passthrough" }
  tags     = tags("s3-passthrough")
}
