#include "util/util.h"

OTTO_API int otto_status_exit_code(int status)
{
	switch (status) {
	case OTTO_OK:
		return 0;
	case OTTO_EINVALID:
	case OTTO_ESETTINGS:
	case OTTO_ENOBACKEND:
	case OTTO_EPLUGIN:
		return 2;
	default:
		/* Backend and repository errors, not-found, failed checks, and
		 * anything unknown: the command failed, the usage was fine. */
		return 1;
	}
}

OTTO_API const char *otto_status_name(int status)
{
	switch (status) {
	case OTTO_OK:
		return "OK";
	case OTTO_ERROR:
		return "ERROR";
	case OTTO_ENOTFOUND:
		return "ENOTFOUND";
	case OTTO_EINVALID:
		return "EINVALID";
	case OTTO_ENOMEM:
		return "ENOMEM";
	case OTTO_ECONFLICT:
		return "ECONFLICT";
	case OTTO_ENOTSUPPORTED:
		return "ENOTSUPPORTED";
	case OTTO_ENOBACKEND:
		return "ENOBACKEND";
	case OTTO_EPLUGIN:
		return "EPLUGIN";
	case OTTO_ESETTINGS:
		return "ESETTINGS";
	case OTTO_EIO:
		return "EIO";
	case OTTO_ECHECK:
		return "ECHECK";
	default:
		return "UNKNOWN";
	}
}

OTTO_API const char *otto_plugin_status_name(otto_plugin_status status)
{
	switch (status) {
	case OTTO_PLUGIN_LOADED:
		return "loaded";
	case OTTO_PLUGIN_NOT_A_PLUGIN:
		return "not a plugin";
	case OTTO_PLUGIN_ABI_MISMATCH:
		return "ABI mismatch";
	case OTTO_PLUGIN_FAILED:
		return "failed";
	case OTTO_PLUGIN_DUPLICATE:
		return "duplicate";
	case OTTO_PLUGIN_REFUSED:
		return "refused";
	}
	return "unknown";
}

OTTO_API const char *otto_backend_kind_name(otto_backend_kind kind)
{
	switch (kind) {
	case OTTO_KIND_LAB:
		return "lab";
	case OTTO_KIND_RESERVATION:
		return "reservation";
	case OTTO_KIND_LOCK_STORE:
		return "lock store";
	}
	return "unknown";
}
