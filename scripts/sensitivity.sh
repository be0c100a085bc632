#!/bin/sh
# Sensitivity of two shipped comparisons to the donor-age effect on outcomes after transplant
# (make validate; docs/validation.md "Sensitivity"). For each factor k in 0.5, 1, 2 it scales
# the log hazard ratios of donor age (pancreas: model.pancreas.outcome.beta_age; heart: the three
# donor-age bands model.heart.outcome.hr_donor_*, hr -> hr^k) in both files of
#   ECD: scenarios/default.yaml vs scenarios/pancreas-ecd-age50.yaml
#   HU:  scenarios/default.yaml vs scenarios/heart-hu-2-4weeks.yaml
# and runs the pair with the same seed into OUT/<cmp>-<k>.h5 (summary only).
# Usage: scripts/sensitivity.sh BIN OUTDIR REPS
set -eu
BIN=$1; OUT=$2; R=$3
mkdir -p "$OUT"
# overrides K: the dotted keys for factor K (defaults: beta_age 0.03; bands 1.19, 1.3, 1.43)
overrides() {
    /usr/bin/python3 -c "
import sys
k = float(sys.argv[1])
print(f'model.pancreas.outcome.beta_age: {0.03 * k:.6g}')
for band, hr in (('40', 1.19), ('50', 1.3), ('55', 1.43)):
    print(f'model.heart.outcome.hr_donor_{band}: {hr ** k:.6g}')
" "$1"
}
for k in 0.5 1 2; do
    for f in default pancreas-ecd-age50 heart-hu-2-4weeks; do
        { cat scenarios/$f.yaml; echo; echo "# donor-age effect x $k (scripts/sensitivity.sh)"; overrides $k; } \
            >"$OUT/$f-$k.yaml"
    done
    "$BIN" run "$OUT/default-$k.yaml" "$OUT/pancreas-ecd-age50-$k.yaml" -r "$R" -q --summary-only \
        -o "$OUT/ecd-$k.h5" --resume
    "$BIN" run "$OUT/default-$k.yaml" "$OUT/heart-hu-2-4weeks-$k.yaml" -r "$R" -q --summary-only \
        -o "$OUT/hu-$k.h5" --resume
done
