/* libFuzzer: the edits apply makes in the admin's shell-style files,
 * os-release and the applied state. An edit that adds and then removes
 * the same tokens must give back the same file, byte for byte. */
#include "applied.h"
#include "blsentry.h"
#include "distro.h"
#include "shellvars.h"

#include <stdbool.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pt_tokens ours = { 0 }, none = { 0 };
	struct pt_applied applied;
	char *text = malloc(size + 1), *added, *removed;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	pt_distro_from_os_release(text);
	if (pt_applied_parse(text, &applied) == 0) {
		char *back = pt_applied_render(&applied);

		free(back);
		pt_applied_free(&applied);
	}
	pt_tokens_add(&ours, "intel_iommu=on");
	pt_tokens_add(&ours, "vfio-pci");
	added = pt_edit_assignment(text, "default_kernel_opts", ' ', &none, &ours);
	if (added) {
		struct pt_tokens had;
		bool ours_before = pt_assignment_tokens(text, "default_kernel_opts", ' ', &had) == 0 &&
				   (pt_tokens_contain(&had, "intel_iommu=on") ||
				    pt_tokens_contain(&had, "vfio-pci"));

		removed = pt_edit_assignment(added, "default_kernel_opts", ' ', &ours, &none);
		/* what apply adds, undo takes away: the file comes back
		 * byte for byte (unless it had our tokens or mark already) */
		if (!ours_before && !strstr(text, "# added by passthrough apply") &&
		    (!removed || strcmp(removed, text)))
			abort();
		pt_tokens_free(&had);
		free(removed);
		free(added);
	}
	/* systemd-boot entries written by hand: the same promise */
	{
		struct pt_shell_error err = { 0 };
		struct pt_tokens had;

		added = pt_bls_edit_options(text, &none, &ours, &err);
		if (added && pt_bls_options(text, &had) == 0) {
			bool ours_before = pt_tokens_contain(&had, "intel_iommu=on") ||
					   pt_tokens_contain(&had, "vfio-pci");

			removed = pt_bls_edit_options(added, &ours, &none, &err);
			if (!ours_before && (!removed || strcmp(removed, text)))
				abort();
			free(removed);
			pt_tokens_free(&had);
		}
		free(added);
	}
	added = pt_edit_assignment(text, "init", ' ', &ours, &none);
	free(added);
	added = pt_edit_assignment(text, "modules", ',', &none, &ours);
	free(added);
	pt_tokens_free(&ours);
	free(text);
	return 0;
}
