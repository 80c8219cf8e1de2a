/*
 * otto-worker: the process backend plugins run in. libotto starts it (from
 * <libdir>/otto/otto-worker, beside itself) and talks to it on fd 3; all
 * of its logic lives in libotto (core/src/worker/), so that the worker and
 * the library that starts it are always the same build.
 */
#include "worker/worker.h"

int main(int argc, char **argv)
{
	return otto__worker_main(argc, argv);
}
