"""The built-in catalogue of review aspects, with their usual words in English and Spanish.

Each aspect groups synonyms ("shipping", "delivery", "arrived" → Delivery) and carries a name per
language; words are lower-case and may be phrases ("true to size", "atención al cliente"). A word is
matched as written or by its lemma, and a phrase word by word, so plurals and verb forms need not be
listed. Phrases win over single words ("looks cheap" is Quality, "cheap" alone Price).

:data:`PROBLEM_WORDS` are words that name a fault: a negated one ("no wobble at all", "never
leaked", "sin fugas") is praise, not a complaint (see :mod:`core.nlp.aspects`).
"""

from __future__ import annotations

from dataclasses import dataclass

IGNORED = "ignore"  # the catalogue entry of idioms to skip ("straight out of the box" is no packaging)


@dataclass(frozen=True)
class CatalogueAspect:
    """A named aspect and the words that mention it, per language."""

    key: str
    names: dict[str, str]  # {"english": "Delivery", "spanish": "Envío"}
    words: dict[str, tuple[str, ...]]  # per language


def word_set(text: str) -> frozenset[str]:
    """A word list written as whitespace-separated text (long lists stay readable)."""
    return frozenset(text.split())


def _aspect(key: str, en: str, es: str, words_en: str, words_es: str) -> CatalogueAspect:
    return CatalogueAspect(
        key,
        {"english": en, "spanish": es},
        {
            "english": tuple(w.strip() for w in words_en.split(",") if w.strip()),
            "spanish": tuple(w.strip() for w in words_es.split(",") if w.strip()),
        },
    )


CATALOGUE: tuple[CatalogueAspect, ...] = (
    _aspect(
        "price", "Price & value", "Precio y valor",
        "price, cost, value, money, expensive, cheap, cheaper, pricey, overpriced, worth, worth it, bargain, "
        "affordable, value for money, good deal",
        "precio, coste, costo, valor, dinero, caro, cara, barato, barata, económico, económica, oferta, "
        "vale la pena, calidad precio, calidad-precio",
    ),
    _aspect(
        "delivery", "Delivery", "Envío",
        "shipping, ship, shipment, delivery, deliver, arrive, arrival, courier, dispatch, postage, tracking",
        "envío, envio, entrega, entregar, llegar, llegó, llegada, mensajero, repartidor, transporte",
    ),
    _aspect(
        "service", "Customer service", "Atención al cliente",
        "customer service, customer support, customer care, support, seller, refund, warranty, "
        "replacement, service",
        "atención al cliente, servicio al cliente, servicio técnico, atención, soporte, vendedor, "
        "vendedora, garantía, reembolso",
    ),
    _aspect(
        "quality", "Quality & durability", "Calidad y durabilidad",
        "quality, durability, durable, sturdy, flimsy, broke, broken, break, fell apart, falling apart, "
        "stopped working, stop working, well made, poorly made, cheaply made, badly made, looks cheap, "
        "feels cheap, build quality, craftsmanship, defective",
        "calidad, durabilidad, duradero, duradera, resistente, endeble, roto, rota, rompió, romper, "
        "se rompió, dejó de funcionar, mala calidad, bien hecho, defectuoso, defectuosa",
    ),
    _aspect(
        "size_fit", "Size & fit", "Talla y ajuste",
        "size, sizing, fit, true to size, runs small, runs large, runs big, tight, loose, snug, baggy, "
        "roomy, narrow, too small, too big, too large, oversized",
        "talla, tallas, tamaño, ajuste, ajusta, queda grande, queda pequeño, queda pequeña, queda chico, "
        "apretado, apretada, holgado, holgada, estrecho, estrecha",
    ),
    _aspect(
        "ease_of_use", "Ease of use", "Facilidad de uso",
        "easy to use, ease of use, user friendly, easy to, hard to, difficult to, setup, set up, "
        "instructions, manual, intuitive, install, installation",
        "fácil de usar, fácil de, difícil de, instrucciones, manual, instalación, instalar, configuración, "
        "intuitivo, intuitiva",
    ),
    _aspect(
        "packaging", "Packaging", "Embalaje",
        "packaging, packed, package, packing, box, wrapped, wrapping, bubble wrap",
        "embalaje, empaque, caja, envoltorio, paquete, empaquetado",
    ),
    _aspect(
        "sound", "Sound", "Sonido",
        "sound, audio, bass, treble, volume, speaker, microphone, mic, noise cancelling, noise cancellation, "
        "noise canceling",
        "sonido, audio, graves, agudos, volumen, altavoz, micrófono, cancelación de ruido",
    ),
    _aspect(
        "battery", "Battery", "Batería",
        "battery, battery life, charge, charging, charger, recharge",
        "batería, bateria, carga, cargar, cargador, autonomía",
    ),
    _aspect(
        "connectivity", "Connectivity", "Conexión",
        "bluetooth, wifi, wi-fi, connection, connect, pairing, pair, disconnect",
        "bluetooth, wifi, conexión, conectar, emparejar, desconecta",
    ),
    _aspect(
        "comfort", "Comfort", "Comodidad",
        "comfort, comfortable, uncomfortable, comfy, cushioning",
        "comodidad, cómodo, cómoda, incómodo, incómoda",
    ),
    _aspect(
        "temperature", "Temperature", "Temperatura",
        "temperature, hot, lukewarm, heat, heater, heating, warm, cold",
        "temperatura, caliente, tibio, tibia, frío, fría, calienta",
    ),
    _aspect(
        "leaks", "Leaks & spills", "Fugas y derrames",
        "leak, leaky, drip, spill, spills, spilled",
        "fuga, fugas, gotea, gotear, goteo, pierde agua, derrama, derrame",
    ),
    _aspect(
        "noise", "Noise", "Ruido",
        "noise, noisy, loud, quiet, rattle, squeak, buzz",
        "ruido, ruidoso, ruidosa, silencioso, silenciosa",
    ),
    _aspect(
        "taste", "Taste", "Sabor",
        "taste, tastes, flavour, flavor",
        "sabor, sabe",
    ),
    _aspect(
        "smell", "Smell", "Olor",
        "smell, odor, odour, scent, fragrance",
        "olor, huele, aroma, perfume",
    ),
    _aspect(
        "design", "Design & look", "Diseño y aspecto",
        "design, look, looks, style, stylish, appearance",
        "diseño, estilo, aspecto, apariencia",
    ),
    # idioms that look like an aspect word and are not one: matched first, then dropped
    _aspect(
        "ignore", "", "",
        "out of the box, toe box, nothing to rave about, no matter, in the box",
        "sin duda, de todas formas",
    ),
    # clothing
    _aspect(
        "fabric", "Fabric & material", "Tela y material",
        "fabric, material, cotton, polyester, linen, silk, wool, knit, lining, stretchy, sheer, see through, "
        "itchy, see-through",
        "tela, material, tejido, algodón, poliéster, lino, seda, lana, forro, elástico, elástica",
    ),
    _aspect(
        "colour", "Colour", "Color",
        "colour, color, shade, hue, print, pattern",
        "color, colores, tono, estampado",
    ),
    _aspect(
        "length", "Length", "Largo",
        "length, hem, hemline, too long, too short, runs long, runs short",
        "largo, longitud, dobladillo, demasiado largo, demasiado larga, demasiado corto, demasiado corta",
    ),
)  # fmt: skip

# Lemmas of words naming a fault; negated, they are praise ("no wobble", "never leaked", "sin fugas").
PROBLEM_WORDS = word_set(
    """
    leak leaky drip spill noise noisy rattle squeak smell odor odour wobble wobbly crack scratch stain
    rust dent defect defective tear hole pill pilling lint blister bug glitch lag fade shrink itch itchy
    problem issue complaint fault flaw break broken
    fuga gotear goteo derrame ruido ruidoso olor mancha óxido defecto agujero grieta rayón problema fallo
    queja
    """
)
