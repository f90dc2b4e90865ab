#include "modinfo.h"

#include <errno.h>
#include <libkmod.h>
#include <string.h>

int pt_module_available(const struct pt_context *c, const char *module)
{
	struct kmod_list *list = NULL;
	struct kmod_ctx *ctx = pt_context_kmod(c);
	int r;

	if (!ctx)
		return -ENOENT;
	r = kmod_module_new_from_lookup(ctx, module, &list);
	r = r < 0 ? r : list != NULL;
	kmod_module_unref_list(list);
	return r;
}

int pt_modalias_modules(const struct pt_context *c, const char *modalias,
			int (*fn)(void *data, const char *name), void *data)
{
	struct kmod_list *list = NULL, *it;
	struct kmod_ctx *ctx = pt_context_kmod(c);
	int r;

	if (!ctx)
		return -ENOENT;
	r = kmod_module_new_from_lookup(ctx, modalias, &list);
	kmod_list_foreach(it, list) {
		struct kmod_module *m = kmod_module_get_module(it);
		const char *name = kmod_module_get_name(m);

		if (r >= 0 && !pt_stub_driver_named(name) &&
		    kmod_module_get_initstate(m) != KMOD_MODULE_BUILTIN)
			r = fn(data, name);
		kmod_module_unref(m);
	}
	kmod_module_unref_list(list);
	return r < 0 ? r : 0;
}
