"""The colours every figure draws with.

Okabe & Ito (2008), "Color Universal Design": eight colours that stay
distinguishable with any common colour-vision deficiency. Kept apart from
the plotting code so the preset registry can name its colours without
importing matplotlib.
"""

OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
