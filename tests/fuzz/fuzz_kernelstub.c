/* libFuzzer: kernelstub's configuration (JSON). Whatever the scanner
 * accepts, adding our options and taking them out again gives the file
 * back byte for byte, and the edited file reads back as the old options
 * followed by ours. */
#include "kernelstub.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pt_tokens ours = { 0 }, none = { 0 }, before, after;
	struct pt_shell_error err = { 0 };
	char *text = malloc(size + 1), *added = NULL, *removed = NULL;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	pt_tokens_add(&ours, "intel_iommu=on");
	pt_tokens_add(&ours, "iommu=pt");
	if (pt_kernelstub_options(text, &before, &err) == 0) {
		bool had = pt_tokens_contain(&before, "intel_iommu=on") ||
			   pt_tokens_contain(&before, "iommu=pt");

		added = pt_kernelstub_edit(text, &none, &ours, &err);
		if (!added || pt_kernelstub_options(added, &after, &err) < 0)
			abort();
		if (!had) {
			if (after.n != before.n + 2 || strcmp(after.v[before.n], "intel_iommu=on") ||
			    strcmp(after.v[before.n + 1], "iommu=pt"))
				abort();
			for (size_t i = 0; i < before.n; i++)
				if (strcmp(after.v[i], before.v[i]))
					abort();
			removed = pt_kernelstub_edit(added, &ours, &none, &err);
			if (!removed || strcmp(removed, text))
				abort();
		}
		pt_tokens_free(&after);
		pt_tokens_free(&before);
	} else if (pt_kernelstub_edit(text, &none, &ours, &err)) {
		abort(); /* refused to read, yet edited */
	}
	free(added);
	free(removed);
	pt_tokens_free(&ours);
	free(text);
	return 0;
}
