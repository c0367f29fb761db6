"""UI text in English and Spanish: `t(key)` for pages, `translate(key, lang)` for pure code.

Strings live in one table, one entry per key with both languages side by side, so a missing
translation is visible in review and caught by the tests. Placeholders use `str.format` names.
Streamlit is imported only inside :func:`current_language`, so `dashboard.charts` stays pure.
"""

from __future__ import annotations

LANGUAGES: dict[str, str] = {"en": "English", "es": "Español"}
DEFAULT_LANGUAGE = "en"
LANG_KEY = "lang"  # same as dashboard.state.Keys.LANG (kept here to avoid importing Streamlit)

MONTHS: dict[str, tuple[str, ...]] = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "es": ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"),
}

LABEL_NAMES: dict[str, dict[str, str]] = {
    "negative": {"en": "Negative", "es": "Negativo"},
    "neutral": {"en": "Neutral", "es": "Neutral"},
    "positive": {"en": "Positive", "es": "Positivo"},
    "unscorable": {"en": "Not scored", "es": "Sin puntuar"},
}

STRINGS: dict[str, dict[str, str]] = {
    # app frame and navigation
    "app.language": {"en": "Language", "es": "Idioma"},
    "app.tagline": {
        "en": "Review sentiment for analysts: your reviews, our CPU model, no cloud API.",
        "es": "Sentimiento de reseñas para analistas: sus reseñas, nuestro modelo en CPU, sin API en la "
        "nube.",
    },
    "nav.analyze": {"en": "Analyze", "es": "Analizar"},
    "nav.insights": {"en": "Insights", "es": "Hallazgos"},
    "nav.model": {"en": "Model", "es": "Modelo"},
    "page.overview": {"en": "Overview", "es": "Resumen"},
    "page.analyze": {"en": "Analyze text", "es": "Analizar texto"},
    "page.upload": {"en": "Upload reviews", "es": "Subir reseñas"},
    "page.scrape": {"en": "Scrape", "es": "Extraer de la web"},
    "page.products": {"en": "Products", "es": "Productos"},
    "page.model": {"en": "Model", "es": "Modelo"},
    # shared column names
    "col.product": {"en": "Product", "es": "Producto"},
    "col.reviews": {"en": "Reviews", "es": "Reseñas"},
    "col.text": {"en": "Review", "es": "Reseña"},
    "col.label": {"en": "Sentiment", "es": "Sentimiento"},
    "col.confidence": {"en": "Confidence", "es": "Confianza"},
    "col.date": {"en": "Date", "es": "Fecha"},
    "col.stars": {"en": "Stars", "es": "Estrellas"},
    "col.title": {"en": "Title", "es": "Título"},
    "col.author": {"en": "Author", "es": "Autor"},
    # charts
    "chart.no_data": {"en": "No reviews to show", "es": "No hay reseñas para mostrar"},
    "chart.distribution.title": {"en": "Sentiment distribution", "es": "Distribución del sentimiento"},
    "chart.trend.title": {"en": "Sentiment over time", "es": "Sentimiento en el tiempo"},
    "chart.trend.no_dates": {"en": "No dated reviews", "es": "No hay reseñas con fecha"},
    "chart.trend.rolling": {"en": "{n}-period rolling average", "es": "media móvil de {n} periodos"},
    "chart.heatmap.title": {
        "en": "Star rating vs predicted sentiment",
        "es": "Estrellas frente a sentimiento predicho",
    },
    "chart.heatmap.no_ratings": {"en": "No star ratings", "es": "No hay valoraciones con estrellas"},
    "chart.drivers.title": {
        "en": "What drives negative and positive reviews",
        "es": "Qué impulsa las reseñas negativas y positivas",
    },
    "chart.drivers.none": {"en": "Not enough text to find drivers", "es": "No hay texto suficiente"},
    "chart.confidence.title": {"en": "Model confidence", "es": "Confianza del modelo"},
    "chart.confusion.title": {"en": "Confusion matrix", "es": "Matriz de confusión"},
    "chart.probability.title": {"en": "Probabilities", "es": "Probabilidades"},
    "chart.axis.share_of_reviews": {"en": "Share of reviews", "es": "Proporción de reseñas"},
    "chart.axis.share": {"en": "Share", "es": "Proporción"},
    "chart.axis.product": {"en": "Product", "es": "Producto"},
    "chart.axis.reviews": {"en": "Reviews", "es": "Reseñas"},
    "chart.axis.period": {"en": "Period", "es": "Periodo"},
    "chart.axis.rating": {"en": "Star rating", "es": "Estrellas"},
    "chart.axis.predicted": {"en": "Predicted sentiment", "es": "Sentimiento predicho"},
    "chart.axis.true_label": {"en": "True sentiment", "es": "Sentimiento real"},
    "chart.axis.log_odds": {
        "en": "Log-odds (← negative · positive →)",
        "es": "Log-odds (← negativo · positivo →)",
    },
    "chart.axis.driver_strength": {
        "en": "Strength, z-score of the log-odds (← negative · positive →)",
        "es": "Fuerza, z del log-odds (← negativo · positivo →)",
    },
    "chart.axis.confidence": {
        "en": "Confidence (highest probability)",
        "es": "Confianza (probabilidad máxima)",
    },
    "chart.axis.probability": {"en": "Probability", "es": "Probabilidad"},
    # overview
    "overview.intro": {
        "en": "Headline numbers across every stored review, and where to look first.",
        "es": "Las cifras principales de todas las reseñas guardadas y dónde mirar primero.",
    },
    "overview.empty": {
        "en": "No reviews yet. Start with the demo sample, your own file, a product page, or a pasted "
        "review.",
        "es": "Aún no hay reseñas. Empiece con la muestra de demostración, su archivo, una página de "
        "producto o un texto.",
    },
    "overview.start.sample": {"en": "Try it with demo data", "es": "Pruébelo con datos de demostración"},
    "overview.start.upload": {"en": "Bring your own reviews", "es": "Traiga sus propias reseñas"},
    "overview.start.paste": {"en": "Just check a few texts", "es": "Solo revisar unos textos"},
    "overview.sample.button": {"en": "Load sample data", "es": "Cargar datos de ejemplo"},
    "overview.sample.caption": {
        "en": "Demo sample: 1,200 made-up reviews of five products over six months, for trying the app. "
        "Not real customer data.",
        "es": "Muestra de demostración: 1.200 reseñas inventadas de cinco productos durante seis meses, para "
        "probar la aplicación. No son datos reales de clientes.",
    },
    "overview.sample.loading": {"en": "Scoring the demo sample…", "es": "Puntuando la muestra…"},
    "overview.sample.progress": {
        "en": "Scoring and storing: {done:,} / {total:,}",
        "es": "Puntuando y guardando: {done:,} / {total:,}",
    },
    "overview.sample.done": {
        "en": "Demo sample loaded: {stored:,} new reviews stored, {duplicates:,} already there.",
        "es": "Muestra cargada: {stored:,} reseñas nuevas guardadas, {duplicates:,} ya existían.",
    },
    "overview.sample.more": {"en": "Demo sample", "es": "Muestra de demostración"},
    "overview.kpi.reviews": {"en": "Reviews", "es": "Reseñas"},
    "overview.kpi.products": {"en": "Products", "es": "Productos"},
    "overview.kpi.recent": {"en": "Last 30 days", "es": "Últimos 30 días"},
    "overview.kpi.period": {
        "en": "All reviews, then the last {days} days of data (to the newest review) with the change against "
        "the {days} days before; the lines show weekly shares.",
        "es": "Todas las reseñas y luego los últimos {days} días de datos (hasta la reseña más reciente) "
        "con el cambio frente a los {days} días anteriores; las líneas muestran proporciones semanales.",
    },
    "overview.kpi.delta_help": {
        "en": "Change over the last {days} days of data compared with the {days} days before.",
        "es": "Cambio en los últimos {days} días de datos frente a los {days} días anteriores.",
    },
    "overview.attention.title": {
        "en": "Products needing attention",
        "es": "Productos que requieren atención",
    },
    "overview.attention.help": {
        "en": "Highest negative share, or fastest-rising negative share, over each product's own last "
        "{days} days of reviews (products with at least 10 reviews in the period). A share is listed "
        "when it is at least 10 % and above the share over all products; a rise when it is 2 points or more.",
        "es": "Mayor proporción negativa, o la que más sube, en los últimos {days} días de reseñas de "
        "cada producto (productos con al menos 10 reseñas en el periodo). Una proporción aparece si es "
        "de al menos el 10 % y supera la de todos los productos; una subida, si es de 2 puntos o más.",
    },
    "overview.reason.highest_negative_share": {
        "en": "highest negative share",
        "es": "mayor proporción negativa",
    },
    "overview.reason.fastest-rising_negative_share": {
        "en": "fastest-rising negative share",
        "es": "proporción negativa que más sube",
    },
    "overview.reason.join": {"en": " and ", "es": " y "},
    "overview.attention.none": {
        "en": "No product stands out: negative shares are low and steady.",
        "es": "Ningún producto destaca: las proporciones negativas son bajas y estables.",
    },
    "overview.attention.negative_share": {"en": "Negative share", "es": "Proporción negativa"},
    "overview.attention.change": {"en": "Change (pp)", "es": "Cambio (pp)"},
    "overview.attention.reason": {"en": "Why", "es": "Motivo"},
    # overview: model in use, agreement with stars, opening a product, distribution sort (issue 17)
    "overview.attention.click": {
        "en": "Click a row to open that product on the Products page.",
        "es": "Haga clic en una fila para abrir ese producto en la página Productos.",
    },
    "overview.attention.agreement": {"en": "Agrees with stars", "es": "Coincide con estrellas"},
    "overview.attention.agreement_help": {
        "en": "Share of the product's rated reviews whose stars (1–2 negative, 3 neutral, 4–5 positive) "
        "give the model's label. Below {low} % the model reads these reviews poorly: adapt it to them. "
        "Blank: no star ratings.",
        "es": "Proporción de reseñas con estrellas del producto cuyas estrellas (1–2 negativo, 3 neutral, "
        "4–5 positivo) dan la etiqueta del modelo. Por debajo del {low} % el modelo lee mal estas "
        "reseñas: adáptelo a ellas. En blanco: sin estrellas.",
    },
    "overview.attention.low_agreement": {
        "en": "For {n} of these products the model's labels agree with the star ratings less than {low} % "
        "of the time: their shares may be wrong. Adapting the model to these reviews usually fixes it.",
        "es": "En {n} de estos productos las etiquetas del modelo coinciden con las estrellas menos del "
        "{low} % de las veces: sus proporciones pueden ser erróneas. Adaptar el modelo a estas reseñas "
        "suele corregirlo.",
    },
    "overview.attention.adapt": {
        "en": "Adapt the model to these reviews",
        "es": "Adaptar el modelo a estas reseñas",
    },
    "overview.model.shipped": {
        "en": "Labels from the shipped model {version}.",
        "es": "Etiquetas del modelo de serie {version}.",
    },
    "overview.model.since": {
        "en": "Labels from model {version}, active since {since}.",
        "es": "Etiquetas del modelo {version}, activo desde {since}.",
    },
    "overview.model.all": {
        "en": "All shares are computed from its labels; activating another version changes them "
        "(marked on the trend charts).",
        "es": "Todas las proporciones se calculan con sus etiquetas; activar otra versión las cambia "
        "(marcado en los gráficos de tendencia).",
    },
    "overview.model.mixed": {
        "en": "{n:,} of {total:,} reviews still carry labels from an earlier version, so shares mix two "
        "models. Re-score them with the active model on the Model page.",
        "es": "{n:,} de {total:,} reseñas aún tienen etiquetas de una versión anterior, así que las "
        "proporciones mezclan dos modelos. Vuelva a puntuarlas con el modelo activo en la página Modelo.",
    },
    "overview.model.rescore": {"en": "Re-score on the Model page", "es": "Volver a puntuar en Modelo"},
    "overview.sort": {"en": "Sort products", "es": "Ordenar productos"},
    "overview.sort.negative": {"en": "Most negative first", "es": "Más negativos primero"},
    "overview.sort.product": {"en": "By name", "es": "Por nombre"},
    "chart.axis.product_reviews": {"en": "Product · reviews", "es": "Producto · reseñas"},
    "chart.trend.model_change": {"en": "model {version}", "es": "modelo {version}"},
    # analyze
    "analyze.intro": {
        "en": "Paste one review, or many with one per line. Nothing is stored.",
        "es": "Pegue una reseña, o varias con una por línea. No se guarda nada.",
    },
    "analyze.input": {"en": "Reviews (one per line)", "es": "Reseñas (una por línea)"},
    "analyze.placeholder": {
        "en": "The battery lasts all day and the screen is gorgeous.",
        "es": "La batería dura todo el día y la pantalla es preciosa.",
    },
    "analyze.button": {"en": "Analyze", "es": "Analizar"},
    "analyze.examples": {"en": "Try examples", "es": "Probar ejemplos"},
    "analyze.examples_limits": {
        "en": 'Known weak spots: sarcasm ("Oh great, it broke on day one" reads as positive), lukewarm '
        'reviews ("It\'s okay, nothing special" reads as negative), bare facts without an opinion '
        '("The package arrived on Tuesday." reads as negative) and text not in the model\'s language. '
        "Adapting the model on your rated reviews (Model page) is the fix.",
        "es": 'Puntos débiles conocidos: el sarcasmo ("Oh great, it broke on day one" sale positivo), '
        'las reseñas tibias ("It\'s okay, nothing special" sale negativo), los hechos sin opinión '
        '("The package arrived on Tuesday." sale negativo) y el texto en otro idioma que el del modelo. '
        "Adaptar el modelo a sus reseñas con estrellas (página Modelo) lo corrige.",
    },
    "analyze.empty": {
        "en": "Type or paste at least one review.",
        "es": "Escriba o pegue al menos una reseña.",
    },
    "analyze.too_many": {
        "en": "Only the first {n:,} lines were analysed; use Upload reviews for more.",
        "es": "Solo se analizaron las primeras {n:,} líneas; use Subir reseñas para más.",
    },
    "analyze.running": {"en": "Scoring…", "es": "Puntuando…"},
    "analyze.results": {"en": "Results ({n:,})", "es": "Resultados ({n:,})"},
    "analyze.download_csv": {"en": "CSV", "es": "CSV"},
    "analyze.download_json": {"en": "JSON", "es": "JSON"},
    "analyze.unscorable": {"en": "Not scored: {reason}", "es": "Sin puntuar: {reason}"},
    "analyze.why": {"en": "Why", "es": "Por qué"},
    "analyze.why_help": {
        "en": ":green-background[green] words pushed toward positive, :red-background[red] toward negative; "
        "stronger colour, stronger push. Words with little effect stay plain and are not listed.",
        "es": "Las palabras en :green-background[verde] empujan hacia positivo y en :red-background[rojo] "
        "hacia negativo; más color, más peso. Las palabras con poco efecto quedan sin color y no se "
        "listan.",
    },
    "analyze.no_explanation": {
        "en": "Explanations are shown for the first {n} texts.",
        "es": "Las explicaciones se muestran para los primeros {n} textos.",
    },
    "analyze.no_effect": {
        "en": "No single word moved the score: the model knows none of them, or they cancel out.",
        "es": "Ninguna palabra por sí sola movió la puntuación: el modelo no las conoce o se compensan.",
    },
    "analyze.col.word": {"en": "Word or phrase", "es": "Palabra o frase"},
    "analyze.sentences": {
        "en": "Sentence by sentence: the model reads each sentence and weighs them into the verdict",
        "es": "Frase por frase: el modelo lee cada frase y las pondera para el veredicto",
    },
    "analyze.col.sentence": {"en": "Sentence", "es": "Frase"},
    "analyze.col.pushes": {"en": "Pushes toward", "es": "Empuja hacia"},
    "analyze.col.weight": {"en": "Weight", "es": "Peso"},
    # upload
    "upload.intro": {
        "en": "CSV or Excel (.xlsx), up to {mb} MiB. Any delimiter and encoding; columns are recognised by "
        "name "
        "and content, and you can change the mapping before importing.",
        "es": "CSV o Excel (.xlsx), hasta {mb} MiB. Cualquier separador y codificación; las columnas se "
        "reconocen "
        "por nombre y contenido, y puede cambiar la asignación antes de importar.",
    },
    "upload.example.title": {"en": "What should the file look like?", "es": "¿Cómo debe ser el archivo?"},
    "upload.example.text": {
        "en": "One review per row and a header row. Only the review text is required; product, date "
        "(any common format), star rating (3, 4.5, 2/5, 8/10…), title and author are used when present. "
        "Column names may be in English or Spanish, or anything: you can pick the columns after uploading.",
        "es": "Una reseña por fila y una fila de encabezado. Solo el texto es obligatorio; producto, fecha "
        "(cualquier formato común), valoración (3, 4.5, 2/5, 8/10…), título y autor se usan si existen. "
        "Los nombres de columna pueden estar en inglés, en español o en cualquier idioma: puede elegir "
        "las columnas tras subir el archivo.",
    },
    "upload.file": {"en": "Reviews file", "es": "Archivo de reseñas"},
    "upload.rows": {"en": "{n:,} rows", "es": "{n:,} filas"},
    "upload.encoding": {"en": "encoding {enc}", "es": "codificación {enc}"},
    "upload.delimiter": {"en": "delimiter {sep}", "es": "separador {sep}"},
    "upload.no_header": {
        "en": "no header row: the first row is data; columns are named column 1, column 2, …",
        "es": "sin fila de encabezado: la primera fila son datos; las columnas se llaman column 1, "
        "column 2, …",
    },
    "upload.preview": {"en": "Preview (first 20 rows)", "es": "Vista previa (primeras 20 filas)"},
    "upload.mapping": {"en": "Columns", "es": "Columnas"},
    "upload.role.text": {"en": "Review text (required)", "es": "Texto de la reseña (obligatorio)"},
    "upload.role.text_help": {
        "en": "The column with the words customers wrote.",
        "es": "La columna con lo que escribieron los clientes.",
    },
    "upload.no_text_inferred": {
        "en": "No column looks like review text. Choose the one that holds what customers wrote.",
        "es": "Ninguna columna parece texto de reseñas. Elija la que contiene lo que escribieron los "
        "clientes.",
    },
    "upload.role.product": {"en": "Product", "es": "Producto"},
    "upload.role.date": {"en": "Date", "es": "Fecha"},
    "upload.role.rating": {"en": "Rating", "es": "Valoración"},
    "upload.role.title": {"en": "Title", "es": "Título"},
    "upload.role.author": {"en": "Author", "es": "Autor"},
    "upload.default_product": {
        "en": "Product name for rows without one",
        "es": "Producto para filas sin producto",
    },
    "upload.default_product_help": {
        "en": "Used when no product column is chosen, or a row's product cell is empty.",
        "es": "Se usa si no se elige columna de producto o la celda está vacía.",
    },
    "upload.dayfirst": {
        "en": "Dates are day first (31/12/2026)",
        "es": "Fechas con el día primero (31/12/2026)",
    },
    "upload.dayfirst_help": {
        "en": "For dates like 03/04/2026. When the file itself proves the order (a day above 12), that wins.",
        "es": "Para fechas como 03/04/2026. Si el archivo demuestra el orden (un día mayor que 12), se usa "
        "ese.",
    },
    "upload.import": {"en": "Import", "es": "Importar"},
    "upload.need_text": {
        "en": "Choose the column that holds the review text, then import again.",
        "es": "Elija la columna con el texto de la reseña e importe de nuevo.",
    },
    "upload.preparing": {"en": "Reading rows…", "es": "Leyendo filas…"},
    "upload.progress": {
        "en": "Scoring and storing: {done:,} / {total:,}",
        "es": "Puntuando y guardando: {done:,} / {total:,}",
    },
    "upload.failed": {
        "en": "The import failed and nothing was stored: {error}",
        "es": "La importación falló y no se guardó nada: {error}",
    },
    "upload.summary.read": {"en": "Rows read", "es": "Filas leídas"},
    "upload.summary.stored": {"en": "Stored", "es": "Guardadas"},
    "upload.summary.duplicates": {"en": "Duplicates skipped", "es": "Duplicados omitidos"},
    "upload.summary.rejected": {"en": "Rejected", "es": "Rechazadas"},
    "upload.summary.reasons": {
        "en": "Rows not stored, or stored without a value",
        "es": "Filas no guardadas, o guardadas sin un valor",
    },
    "upload.summary.reason": {"en": "Reason", "es": "Motivo"},
    "upload.summary.rows": {"en": "Rows", "es": "Filas"},
    # upload: the import summary and reject reasons, translated here by reason (issue 17)
    "upload.summary.line": {
        "en": "Read {read:,} rows: stored {stored:,} new reviews, skipped {duplicates:,} duplicates, "
        "rejected "
        "{rejected:,}",
        "es": "Leídas {read:,} filas: {stored:,} reseñas nuevas guardadas, {duplicates:,} duplicadas "
        "omitidas, "
        "{rejected:,} rechazadas",
    },
    "upload.summary.kept_missing": {
        "en": "; kept with a missing value: {reasons}",
        "es": "; guardadas sin un valor: {reasons}",
    },
    "upload.summary.nothing_new": {
        "en": "; nothing new, these reviews were already stored",
        "es": "; nada nuevo, estas reseñas ya estaban guardadas",
    },
    "upload.summary.model": {
        "en": ". Model {model}, {seconds:.1f} s.",
        "es": ". Modelo {model}, {seconds:.1f} s.",
    },
    "upload.reason.empty_text": {"en": "empty text", "es": "texto vacío"},
    "upload.reason.no_words": {"en": "text has no words", "es": "el texto no tiene palabras"},
    "upload.reason.unparseable_date": {
        "en": "unparseable date (stored without date)",
        "es": "fecha ilegible (guardada sin fecha)",
    },
    "upload.reason.unparseable_rating": {
        "en": "unparseable rating (stored without rating)",
        "es": "valoración ilegible (guardada sin valoración)",
    },
    "upload.reason.rating_out_of_range": {
        "en": "rating out of range (stored without rating)",
        "es": "valoración fuera de escala (guardada sin valoración)",
    },
    "upload.summary.download_rejected": {
        "en": "Download these rows (CSV)",
        "es": "Descargar estas filas (CSV)",
    },
    "upload.summary.open_products": {
        "en": "See the charts in Products",
        "es": "Ver los gráficos en Productos",
    },
    # products
    "products.empty": {
        "en": "No reviews stored yet, so there is nothing to chart.",
        "es": "Aún no hay reseñas guardadas, así que no hay nada que graficar.",
    },
    "products.empty.sample": {"en": "Load the demo sample on Overview", "es": "Cargar la muestra en Resumen"},
    "products.choose": {"en": "Products", "es": "Productos"},
    "products.choose_help": {
        "en": "Pick up to {n} to compare side by side.",
        "es": "Elija hasta {n} para comparar.",
    },
    "products.choose_none": {"en": "Choose at least one product.", "es": "Elija al menos un producto."},
    "products.model_version": {"en": "Model version", "es": "Versión del modelo"},
    "products.model_version_latest": {"en": "Latest for each review", "es": "La más reciente de cada reseña"},
    "products.model_version_help": {
        "en": "These reviews were scored by several model versions; pick whose predictions to show.",
        "es": "Varias versiones del modelo puntuaron estas reseñas; elija cuáles mostrar.",
    },
    "products.labels": {"en": "Sentiment", "es": "Sentimiento"},
    "products.stars": {"en": "Stars", "es": "Estrellas"},
    "products.search": {"en": "Search text", "es": "Buscar texto"},
    "products.search_hint": {"en": "e.g. battery", "es": "p. ej. batería"},
    "products.no_match": {
        "en": "No reviews match these filters. Widen the dates, pick more sentiments or clear the search.",
        "es": "Ninguna reseña coincide con los filtros. Amplíe las fechas, elija más sentimientos o borre "
        "la búsqueda.",
    },
    "products.clear_filters": {"en": "Clear filters", "es": "Quitar filtros"},
    "products.trend": {"en": "Trend", "es": "Tendencia"},
    "products.trend.freq": {"en": "Period", "es": "Periodo"},
    "products.freq.auto": {"en": "Auto", "es": "Auto"},
    "products.freq.D": {"en": "Day", "es": "Día"},
    "products.freq.W": {"en": "Week", "es": "Semana"},
    "products.freq.M": {"en": "Month", "es": "Mes"},
    "products.trend.no_dates": {
        "en": "The trend is hidden because these reviews have no dates. When uploading, map a date column "
        "to see sentiment over time.",
        "es": "La tendencia está oculta porque estas reseñas no tienen fecha. Al subir, asigne una columna "
        "de fecha para ver el sentimiento en el tiempo.",
    },
    "products.trend.no_dates_product": {
        "en": "{product}: no dated reviews, so no trend.",
        "es": "{product}: sin reseñas con fecha, no hay tendencia.",
    },
    "products.trend.undated": {
        "en": "{n:,} reviews without a date are left out of the trend.",
        "es": "{n:,} reseñas sin fecha quedan fuera de la tendencia.",
    },
    "products.ratings": {"en": "Ratings vs sentiment", "es": "Valoraciones frente a sentimiento"},
    "products.ratings.none": {
        "en": "These reviews have no star ratings, so there is nothing to compare the text with.",
        "es": "Estas reseñas no tienen estrellas, así que no hay con qué comparar el texto.",
    },
    "products.mismatches": {"en": "Rating and text disagree", "es": "Valoración y texto no coinciden"},
    "products.mismatches.help": {
        "en": "High stars with negative text, or low stars with positive text: sarcasm, mislabelled data, "
        "or model errors.",
        "es": "Muchas estrellas con texto negativo, o pocas con texto positivo: sarcasmo, datos mal "
        "etiquetados o errores del modelo.",
    },
    "products.mismatch.high_rating_negative_text": {
        "en": "High rating, negative text",
        "es": "Valoración alta, texto negativo",
    },
    "products.mismatch.low_rating_positive_text": {
        "en": "Low rating, positive text",
        "es": "Valoración baja, texto positivo",
    },
    "products.mismatches.none": {"en": "Ratings and text agree.", "es": "Valoraciones y texto coinciden."},
    # --- Aspects (issue 16): the Products page's Aspects section ---
    "products.aspects": {"en": "Aspects", "es": "Aspectos"},
    "products.aspects.help": {
        "en": "What the reviews talk about and how they feel about each: every sentence (or clause after "
        "“but”) naming an aspect is judged on its own. Sorted by impact (mentions × negative share); "
        "change is the negative share of the latest period against the one before.",
        "es": "De qué hablan las reseñas y qué opinan de cada cosa: cada frase (o cláusula tras «pero») "
        "que nombra un aspecto se juzga por separado. Ordenado por impacto (menciones × proporción "
        "negativa); el cambio compara la proporción negativa del último periodo con la del anterior.",
    },
    "products.aspects.none": {
        "en": "No aspects found in these reviews.",
        "es": "No se encontraron aspectos en estas reseñas.",
    },
    "products.aspects.computing": {
        "en": "Finding the aspects of {n:,} reviews stored before aspects existed (once)…",
        "es": "Buscando los aspectos de {n:,} reseñas guardadas antes de existir los aspectos (una vez)…",
    },
    "products.aspects.col.aspect": {"en": "Aspect", "es": "Aspecto"},
    "products.aspects.col.mentions": {"en": "Mentions", "es": "Menciones"},
    "products.aspects.col.impact": {"en": "Impact", "es": "Impacto"},
    "products.aspects.col.change": {"en": "Change (neg. pp)", "es": "Cambio (neg., pp)"},
    "products.aspects.col.trend": {
        "en": "Negative share over time",
        "es": "Proporción negativa en el tiempo",
    },
    "products.aspects.by_product": {"en": "Aspects by product", "es": "Aspectos por producto"},
    "products.aspects.pick": {
        "en": "Show the reviews that mention",
        "es": "Mostrar las reseñas que mencionan",
    },
    "products.aspects.quotes": {"en": "What they say", "es": "Qué dicen"},
    "products.aspects.filter": {
        "en": "Showing reviews that mention **{aspect}**.",
        "es": "Se muestran las reseñas que mencionan **{aspect}**.",
    },
    "products.aspects.download_csv": {"en": "Aspect mentions (CSV)", "es": "Menciones de aspectos (CSV)"},
    "products.aspects.download_xlsx": {
        "en": "Aspect mentions (Excel)",
        "es": "Menciones de aspectos (Excel)",
    },
    "products.aspects.edit": {"en": "Edit aspects", "es": "Editar aspectos"},
    "products.aspects.edit.aspect": {"en": "Aspect", "es": "Aspecto"},
    "products.aspects.edit.action": {"en": "Change", "es": "Cambio"},
    "products.aspects.edit.rename": {"en": "Rename", "es": "Renombrar"},
    "products.aspects.edit.merge": {"en": "Merge into", "es": "Fusionar con"},
    "products.aspects.edit.hide": {"en": "Hide", "es": "Ocultar"},
    "products.aspects.edit.new_name": {"en": "New name", "es": "Nombre nuevo"},
    "products.aspects.edit.target": {"en": "Merge into", "es": "Fusionar con"},
    "products.aspects.edit.save": {"en": "Save", "es": "Guardar"},
    "products.aspects.edit.add": {"en": "Add an aspect", "es": "Añadir un aspecto"},
    "products.aspects.edit.add_name": {"en": "Name", "es": "Nombre"},
    "products.aspects.edit.add_words": {
        "en": "Its words, comma-separated (e.g. lid, cover)",
        "es": "Sus palabras, separadas por comas (p. ej. tapa, cubierta)",
    },
    "products.aspects.edit.add_button": {"en": "Add", "es": "Añadir"},
    "products.aspects.edit.rules": {"en": "Saved changes", "es": "Cambios guardados"},
    "products.aspects.edit.undo": {"en": "Undo", "es": "Deshacer"},
    "products.aspects.edit.saved": {"en": "Saved.", "es": "Guardado."},
    # --- end of Aspects ---
    "products.drivers": {"en": "Drivers", "es": "Factores"},
    "products.drivers.help": {
        "en": "Words and two-word phrases most over-represented in negative versus positive reviews "
        "(log-odds with counts), over the chosen products and dates (a random sample of up to {n} "
        "reviews per side). Pick one to filter the reviews below.",
        "es": "Palabras y frases de dos palabras más frecuentes en reseñas negativas frente a positivas "
        "(log-odds con recuentos), en los productos y fechas elegidos (una muestra aleatoria de hasta {n} "
        "reseñas por lado). Elija una para filtrar las reseñas.",
    },
    "products.drivers.none": {
        "en": "Not enough reviews of each sentiment to find drivers.",
        "es": "No hay suficientes reseñas de cada sentimiento para hallar factores.",
    },
    "products.drivers.negative": {"en": "Negative drivers", "es": "Factores negativos"},
    "products.drivers.positive": {"en": "Positive drivers", "es": "Factores positivos"},
    "products.confidence": {"en": "Confidence", "es": "Confianza"},
    "products.low_confidence": {
        "en": "{n:,} reviews below {pct} confidence, for a human look",
        "es": "{n:,} reseñas con confianza menor al {pct}, para revisión humana",
    },
    "products.low_confidence.none": {
        "en": "The model is confident on every review.",
        "es": "El modelo está seguro en todas.",
    },
    "products.reviews": {"en": "Reviews", "es": "Reseñas"},
    "products.term_filter": {
        "en": "Showing reviews containing “{term}”.",
        "es": "Reseñas que contienen «{term}».",
    },
    "products.term_clear": {"en": "Show all", "es": "Ver todas"},
    "products.table.count": {
        "en": "Showing {shown:,} of {total:,} reviews, newest first; downloads include all {total:,}.",
        "es": "Mostrando {shown:,} de {total:,} reseñas, las más recientes primero; las descargas incluyen "
        "las {total:,}.",
    },
    "products.download_csv": {"en": "Download CSV", "es": "Descargar CSV"},
    "products.download_xlsx": {"en": "Download Excel", "es": "Descargar Excel"},
    # --- issue 17 products: agreement with stars, comparison table, trends, filters, review detail ---
    "products.date_from": {"en": "From", "es": "Desde"},
    "products.date_to": {"en": "To", "es": "Hasta"},
    "products.compare.stars": {"en": "Average stars", "es": "Estrellas de media"},
    "products.compare.change": {
        "en": "Negative vs previous period",
        "es": "Negativo frente al periodo anterior",
    },
    "products.compare.agreement": {
        "en": "Labels agree with stars",
        "es": "Etiquetas que coinciden con las estrellas",
    },
    "products.compare.site_count": {"en": "{stars} from {n} ratings", "es": "{stars} de {n} valoraciones"},
    "products.compare.agreement_of": {"en": "{pct} of {n} rated", "es": "{pct} de {n} valoradas"},
    "products.compare.site": {
        "en": "Rating on the product page",
        "es": "Valoración en la página del producto",
    },
    "products.compare.help": {
        "en": "Shares and stars cover the filtered reviews. The change compares the negative share with the"
        " equally long period just before the chosen dates (pp: percentage points). Agreement: rated "
        "reviews in the chosen dates whose stars (1–2 negative, 3 neutral, 4–5 positive) give the "
        "model's label; below {low} (with at least {n} rated reviews) the model is misreading these "
        "reviews.",
        "es": "Las proporciones y estrellas cubren las reseñas filtradas. El cambio compara la proporción "
        "negativa con el periodo igual de largo justo antes de las fechas elegidas (pp: puntos "
        "porcentuales). Coincidencia: reseñas valoradas en las fechas elegidas cuyas estrellas (1–2 "
        "negativo, 3 neutral, 4–5 positivo) dan la etiqueta del modelo; por debajo del {low} (con al "
        "menos {n} valoradas) el modelo está leyendo mal estas reseñas.",
    },
    "products.agreement.low": {
        "en": "The model's labels agree with the star ratings in fewer than {low} of the rated reviews of "
        "{products}: its shares for them are not reliable. Adapting the model to these rated reviews "
        "teaches it their wording.",
        "es": "Las etiquetas del modelo coinciden con las estrellas en menos del {low} de las reseñas "
        "valoradas de {products}: sus proporciones no son fiables. Adaptar el modelo a estas reseñas "
        "valoradas le enseña su vocabulario.",
    },
    "products.agreement.adapt": {
        "en": "Adapt the model to these reviews",
        "es": "Adaptar el modelo a estas reseñas",
    },
    "products.trend.share_of": {"en": "Share shown", "es": "Proporción mostrada"},
    "products.trend.small": {
        "en": "Small sample: {products}: fewer than {n} reviews in this range; shares can swing by chance.",
        "es": "Muestra pequeña: {products}: menos de {n} reseñas en este intervalo; las proporciones pueden"
        " variar por azar.",
    },
    "products.trend.lines": {
        "en": "Thin lines: the share in each period. Thick lines: the rolling average over several periods,"
        " weighted by the number of reviews. Bars: reviews per period. Dotted lines: the active model"
        " changed.",
        "es": "Líneas finas: la proporción en cada periodo. Líneas gruesas: la media móvil de varios "
        "periodos, ponderada por el número de reseñas. Barras: reseñas por periodo. Líneas punteadas:"
        " cambió el modelo activo.",
    },
    "products.table.pick": {
        "en": "Pick a row to read the review in full and why the model labelled it so.",
        "es": "Elija una fila para leer la reseña completa y por qué el modelo la etiquetó así.",
    },
    "products.detail": {"en": "Review", "es": "Reseña"},
    "products.detail_help": {
        "en": "in full, with the words the active model weighs",
        "es": "completa, con las palabras que pesa el modelo activo",
    },
    "chart.compare_trend.title": {"en": "{label} share over time", "es": "{label}: proporción en el tiempo"},
    "chart.trend.thin": {"en": "thin: each period", "es": "fina: cada periodo"},
    "chart.trend.thick": {"en": "thick: {n}-period average", "es": "gruesa: media de {n} periodos"},
    # --- end issue 17 products ---
    # scrape
    "scrape.intro": {
        "en": "Fetch reviews from product pages. Works on shops that publish schema.org review markup; other "
        "sites need a small site profile. Robots.txt is obeyed and requests are throttled.",
        "es": "Obtenga reseñas de páginas de producto. Funciona con tiendas que publican marcado schema.org; "
        "otros sitios necesitan un pequeño perfil. Se respeta robots.txt y se limita la velocidad.",
    },
    "scrape.demo_hint": {
        "en": "No internet, or just trying it? Run `make demo-shop` and crawl "
        "`http://127.0.0.1:8765/product.html` (allowing local addresses needs "
        "`SENTIMENT_SCRAPE_ALLOW_PRIVATE=true`).",
        "es": "¿Sin internet, o solo probando? Ejecute `make demo-shop` y extraiga "
        "`http://127.0.0.1:8765/product.html` (permitir direcciones locales requiere "
        "`SENTIMENT_SCRAPE_ALLOW_PRIVATE=true`).",
    },
    "scrape.urls": {
        "en": "Product page URLs (one per line)",
        "es": "URL de páginas de producto (una por línea)",
    },
    "scrape.product": {"en": "Product name (optional)", "es": "Nombre del producto (opcional)"},
    "scrape.product_help": {
        "en": "Default: the product name found on the page.",
        "es": "Por defecto: el nombre de producto de la página.",
    },
    "scrape.max_pages": {"en": "Page limit", "es": "Límite de páginas"},
    "scrape.profile": {"en": "Site profile", "es": "Perfil de sitio"},
    "scrape.profile_help": {
        "en": "For sites without review markup: CSS/XPath selectors in scraping/profiles/.",
        "es": "Para sitios sin marcado de reseñas: selectores CSS/XPath en scraping/profiles/.",
    },
    "scrape.allow_private": {
        "en": "Allow private and local addresses",
        "es": "Permitir direcciones privadas y locales",
    },
    "scrape.allow_private_help": {
        "en": "Enabled by this installation's settings (for local test shops).",
        "es": "Habilitado por la configuración de esta instalación (para tiendas de prueba locales).",
    },
    "scrape.start": {"en": "Start", "es": "Iniciar"},
    "scrape.need_url": {"en": "Enter at least one URL.", "es": "Introduzca al menos una URL."},
    "scrape.pages": {"en": "Pages fetched", "es": "Páginas"},
    "scrape.found": {"en": "Reviews found", "es": "Reseñas encontradas"},
    "scrape.stored": {"en": "Stored", "es": "Guardadas"},
    "scrape.duplicates": {"en": "Duplicates", "es": "Duplicadas"},
    "scrape.cancel": {"en": "Cancel", "es": "Cancelar"},
    "scrape.cancelled": {
        "en": "Cancelled; nothing from this crawl was stored.",
        "es": "Cancelado; no se guardó nada de esta extracción.",
    },
    "scrape.finished": {
        "en": "Done: {items:,} reviews found, {stored:,} new ones stored and scored.",
        "es": "Listo: {items:,} reseñas encontradas, {stored:,} nuevas guardadas y puntuadas.",
    },
    "scrape.no_reviews": {
        "en": "The pages were fetched but no reviews were found. The site may not publish schema.org review "
        "markup: write a site profile (see scraping/profiles/ and the README) and pick it above.",
        "es": "Se obtuvieron las páginas pero no se hallaron reseñas. Puede que el sitio no publique marcado "
        "schema.org: escriba un perfil de sitio (vea scraping/profiles/ y el README) y elíjalo arriba.",
    },
    "scrape.failed": {"en": "The crawl failed.", "es": "La extracción falló."},
    "scrape.profile_hint": {
        "en": "If the page loads in a browser but has no review markup, a site profile can tell the crawler "
        "where the reviews are (scraping/profiles/).",
        "es": "Si la página carga en un navegador pero no tiene marcado de reseñas, un perfil de sitio puede "
        "indicar dónde están (scraping/profiles/).",
    },
    "scrape.errors": {"en": "Problems ({n})", "es": "Problemas ({n})"},
    "scrape.open_products": {"en": "See the charts in Products", "es": "Ver los gráficos en Productos"},
    # scrape: the crawler's sentences in the page's terms and language (issue 17)
    "scrape.msg.starting": {"en": "Starting…", "es": "Iniciando…"},
    "scrape.msg.crawling": {"en": "Crawling…", "es": "Extrayendo…"},
    "scrape.msg.done": {"en": "Done.", "es": "Listo."},
    "scrape.msg.no_answer": {
        "en": "Nothing could be fetched (no page answered).",
        "es": "No se pudo obtener nada (ninguna página respondió).",
    },
    "scrape.msg.nothing_fetched": {
        "en": "Nothing could be fetched: {reasons}",
        "es": "No se pudo obtener nada: {reasons}",
    },
    "scrape.msg.item_limit": {
        "en": "Stopped at the review limit of {n} reviews; the site may have more.",
        "es": "Se detuvo en el límite de {n} reseñas; el sitio puede tener más.",
    },
    "scrape.msg.request_limit": {
        "en": "Stopped at the request limit (pages, retries and redirects); the site may have more.",
        "es": "Se detuvo en el límite de peticiones (páginas, reintentos y redirecciones); el sitio puede "
        "tener más.",
    },
    "scrape.msg.time_limit": {
        "en": "Stopped at the crawl's time limit; the site may have more.",
        "es": "Se detuvo en el límite de tiempo de la extracción; el sitio puede tener más.",
    },
    "scrape.msg.page_limit": {
        "en": "Stopped at the page limit of {n} pages; more review pages were not fetched. Raise the page "
        "limit above to get them.",
        "es": "Se detuvo en el límite de {n} páginas; no se obtuvieron más páginas de reseñas. Suba el "
        "límite de páginas arriba para obtenerlas.",
    },
    "scrape.msg.refused": {"en": "Refused {url}: {why}", "es": "Rechazada {url}: {why}"},
    "scrape.msg.address": {"en": "{ip} is {kind}.", "es": "{ip} es {kind}."},
    "scrape.kind.loopback": {"en": "a loopback address", "es": "una dirección de bucle local"},
    "scrape.kind.unspecified": {"en": "the unspecified address", "es": "la dirección no especificada"},
    "scrape.kind.link-local": {"en": "a link-local address", "es": "una dirección de enlace local"},
    "scrape.kind.multicast": {"en": "a multicast address", "es": "una dirección de multidifusión"},
    "scrape.kind.carrier-grade": {
        "en": "a carrier-grade NAT (100.64.0.0/10) address",
        "es": "una dirección NAT de operador (100.64.0.0/10)",
    },
    "scrape.kind.reserved": {"en": "a reserved address", "es": "una dirección reservada"},
    "scrape.kind.private-network": {"en": "a private-network address", "es": "una dirección de red privada"},
    "scrape.msg.tick_private": {
        "en": 'To crawl a site on your own network you trust, tick "{checkbox}" above and start again.',
        "es": 'Para extraer de un sitio de su propia red en el que confía, marque "{checkbox}" arriba '
        "e inicie de nuevo.",
    },
    "scrape.msg.private_setting": {
        "en": "This installation does not crawl private or local addresses; an administrator can allow "
        "them with the SENTIMENT_SCRAPE_ALLOW_PRIVATE setting.",
        "es": "Esta instalación no extrae de direcciones privadas o locales; un administrador puede "
        "permitirlas con la opción SENTIMENT_SCRAPE_ALLOW_PRIVATE.",
    },
    "scrape.msg.robots": {
        "en": "{url} is disallowed by the site's robots.txt, so it was not fetched.",
        "es": "El robots.txt del sitio no permite {url}, así que no se obtuvo.",
    },
    "scrape.msg.dns": {
        "en": "The host of {url} could not be found; check the address.",
        "es": "No se encontró el servidor de {url}; revise la dirección.",
    },
    "scrape.msg.timeout": {
        "en": "{url} did not answer in time.",
        "es": "{url} no respondió a tiempo.",
    },
    "scrape.msg.connection": {
        "en": "Could not connect to {url}; is the site up?",
        "es": "No se pudo conectar con {url}; ¿está el sitio en línea?",
    },
    "scrape.msg.http": {
        "en": "{url} answered HTTP {status}.",
        "es": "{url} respondió HTTP {status}.",
    },
    # model
    "model.intro": {
        "en": "The model that scores your reviews: what it learnt from, how well it does, and its limits.",
        "es": "El modelo que puntúa sus reseñas: con qué aprendió, qué tan bien funciona y sus límites.",
    },
    "model.no_model": {
        "en": "The model could not be loaded: {error}",
        "es": "No se pudo cargar el modelo: {error}",
    },
    "model.not_in_card": {"en": "Not recorded in the model card.", "es": "No consta en la ficha del modelo."},
    "model.version": {"en": "Version", "es": "Versión"},
    "model.language": {"en": "Language", "es": "Idioma"},
    "model.architecture": {"en": "Architecture", "es": "Arquitectura"},
    "model.trained": {"en": "Trained", "es": "Entrenado"},
    "model.training_data": {"en": "Training data", "es": "Datos de entrenamiento"},
    "model.metrics": {"en": "Held-out test results", "es": "Resultados en prueba"},
    "model.out_of_domain": {"en": "Out-of-domain results", "es": "Resultados fuera de dominio"},
    "model.out_of_domain_help": {
        "en": "Each corpus scored by a model trained without it: how the model does on text unlike its "
        "training data. Expect your own reviews to land nearer these numbers until you adapt the model.",
        "es": "Cada corpus puntuado por un modelo entrenado sin él: cómo funciona con textos distintos de "
        "los de entrenamiento. Espere cifras cercanas a estas con sus reseñas hasta adaptar el modelo.",
    },
    "model.speed": {"en": "Measured speed", "es": "Velocidad medida"},
    "model.limits": {"en": "Known limits", "es": "Límites conocidos"},
    "model.retrain": {"en": "How to retrain", "es": "Cómo reentrenar"},
    "model.retrain_text": {
        "en": "Training is reproducible from a clean clone: the corpora are downloaded and checked against "
        "recorded hashes, and the run writes the model, its features and this card to `models/base/`.",
        "es": "El entrenamiento es reproducible desde un clon limpio: los corpus se descargan y verifican "
        "con "
        "hashes registrados, y se escriben el modelo, sus rasgos y esta ficha en `models/base/`.",
    },
    "model.task": {"en": "Task", "es": "Tarea"},
    "model.corpora_help": {
        "en": "Corpora are downloaded from package registries and checked against the hashes in the card.",
        "es": "Los corpus se descargan de registros de paquetes y se verifican con los hashes de la ficha.",
    },
    "model.training_details": {
        "en": "Training settings",
        "es": "Ajustes de entrenamiento",
    },
    "model.gates": {
        "en": "Release gates (minimums the model must meet)",
        "es": "Umbrales de publicación (mínimos que el modelo debe cumplir)",
    },
    "model.gate.met": {"en": "met", "es": "cumplido"},
    "model.gate.failed": {"en": "not met", "es": "no cumplido"},
    "model.col.corpus": {"en": "Corpus", "es": "Corpus"},
    "model.col.source": {"en": "Source", "es": "Origen"},
    "model.col.file": {"en": "File", "es": "Archivo"},
    "model.col.train": {"en": "Train", "es": "Entrenamiento"},
    "model.col.val": {"en": "Validation", "es": "Validación"},
    "model.col.test": {"en": "Test", "es": "Prueba"},
    "model.col.metric": {"en": "Metric", "es": "Métrica"},
    "model.col.minimum": {"en": "Minimum", "es": "Mínimo"},
    "model.col.measured": {"en": "Measured", "es": "Medido"},
    "model.col.ok": {"en": "Met", "es": "Cumple"},
    "model.col.split": {"en": "Test set", "es": "Conjunto"},
    "model.col.n": {"en": "Reviews", "es": "Reseñas"},
    "model.col.accuracy": {"en": "Accuracy", "es": "Exactitud"},
    "model.col.macro_f1": {"en": "Macro-F1", "es": "Macro-F1"},
    "model.col.polarity_accuracy": {"en": "Polarity accuracy", "es": "Exactitud de polaridad"},
    "model.col.precision": {"en": "Precision", "es": "Precisión"},
    "model.col.recall": {"en": "Recall", "es": "Exhaustividad"},
    "model.col.support": {"en": "Support", "es": "Soporte"},
    "model.health": {"en": "Health", "es": "Estado"},
    "model.health.db_error": {
        "en": "The database is not reachable: {error}",
        "es": "La base de datos no responde: {error}",
    },
    "model.health.version": {"en": "Running model", "es": "Modelo en uso"},
    "model.health.backend": {"en": "Database", "es": "Base de datos"},
    "model.health.products": {"en": "Products", "es": "Productos"},
    "model.health.reviews": {"en": "Reviews", "es": "Reseñas"},
    "model.health.predictions": {"en": "Predictions", "es": "Predicciones"},
    "model.health.last_import": {"en": "Last import", "es": "Última importación"},
    "model.health.last_scrape": {"en": "Last scrape", "es": "Última extracción"},
    "model.health.versions": {
        "en": "Model versions with stored predictions: {versions}",
        "es": "Versiones del modelo con predicciones guardadas: {versions}",
    },
    "model.health.never": {"en": "never", "es": "nunca"},
    "model.health.col.run": {"en": "Run", "es": "Ejecución"},
    "model.health.col.when": {"en": "When (UTC)", "es": "Cuándo (UTC)"},
    "model.health.col.status": {"en": "Status", "es": "Estado"},
    "model.health.col.source": {"en": "Source", "es": "Origen"},
    "model.health.col.stored": {"en": "Stored", "es": "Guardadas"},
    # model page: the analysts' summary, set and corpus names, engineering expander (issue 17)
    "model.plain.reads": {
        "en": "Reads {language} reviews and labels each one negative, neutral or positive (trained "
        "{trained}).",
        "es": "Lee reseñas en {language} y etiqueta cada una como negativa, neutral o positiva (entrenado el "
        "{trained}).",
    },
    "model.plain.good": {"en": "Good at", "es": "Se le da bien"},
    "model.plain.weak": {"en": "Weak at", "es": "Se le da mal"},
    "model.plain.good_polarity": {
        "en": "Clear praise or complaints: on {set}, it tells positive from negative {share} of the time.",
        "es": "Elogios o quejas claros: en {set}, distingue positivo de negativo el {share} de las veces.",
    },
    "model.plain.good_all": {
        "en": "Text like its training data: on {set}, {share} of its labels are right.",
        "es": "Texto como el de su entrenamiento: en {set}, acierta el {share} de las etiquetas.",
    },
    "model.plain.weak_neutral": {
        "en": "Lukewarm or mixed reviews (3 stars): neutral is its weakest label (F1 {f1}); many come out "
        "negative or positive.",
        "es": "Reseñas tibias o mixtas (3 estrellas): neutral es su etiqueta más débil (F1 {f1}); muchas "
        "salen "
        "negativas o positivas.",
    },
    "model.plain.weak_class": {
        "en": "{label} reviews are its weakest label (F1 {f1}).",
        "es": "{label} es su etiqueta más débil (F1 {f1}).",
    },
    "model.plain.unfamiliar": {
        "en": "Text unlike anything it trained on: it falls to {share} right on {set}.",
        "es": "Texto distinto de todo lo que vio al entrenar: baja al {share} de aciertos en {set}.",
    },
    "model.plain.sarcasm": {
        "en": 'Sarcasm ("Oh great, it broke on day one") is often read at face value.',
        "es": 'El sarcasmo ("Genial, se rompió el primer día") a menudo se lee al pie de la letra.',
    },
    "model.plain.comparisons": {
        "en": 'Comparisons ("better than the old one, which was awful") are often wrong.',
        "es": 'Las comparaciones ("mejor que el anterior, que era horrible") a menudo fallan.',
    },
    "model.plain.long": {
        "en": "Very long texts are read by their beginning and end only.",
        "es": "De los textos muy largos solo se leen el principio y el final.",
    },
    "model.plain.other_language": {
        "en": "Reviews not in {language}: they get a label, but an unreliable one.",
        "es": "Reseñas que no están en {language}: reciben una etiqueta, pero poco fiable.",
    },
    "model.plain.expect_title": {"en": "On your reviews:", "es": "En sus reseñas:"},
    "model.plain.expect": {
        "en": "product reviews are neither of its training sets, so expect fewer right labels than the "
        "figures "
        "above (as few as {low} on unfamiliar text). Where your reviews have star ratings, the Overview "
        "shows "
        "how often the labels agree with the stars; below {agreement} % the shares are not to be trusted.",
        "es": "las reseñas de productos no son como sus conjuntos de entrenamiento, así que espere menos "
        "aciertos que las cifras de arriba (hasta solo {low} en texto desconocido). Donde sus reseñas tengan "
        "estrellas, el Resumen muestra cuánto coinciden las etiquetas con ellas; por debajo del {agreement} "
        "% "
        "no se fíe de las proporciones.",
    },
    "model.plain.adapt_title": {"en": "Adapting:", "es": "Adaptar:"},
    "model.plain.adapt": {
        "en": "below, you can train a copy of the model on your own rated reviews (the stars are the "
        "answers). "
        "It is tested against the current model on reviews kept out of its training, and can only be "
        "activated if it does better. You can roll back at any time.",
        "es": "abajo puede entrenar una copia del modelo con sus propias reseñas con estrellas (las "
        "estrellas "
        "son las respuestas). Se compara con el modelo actual en reseñas que no usó para entrenar, y solo se "
        "puede activar si lo hace mejor. Puede volver atrás cuando quiera.",
    },
    "model.engineering": {
        "en": "Engineering detail: architecture, training data, test results, release gates, design notes",
        "es": "Detalle técnico: arquitectura, datos de entrenamiento, resultados, umbrales, notas de diseño",
    },
    "model.card_words": {
        "en": "Task, architecture, limits and design notes are quoted from the model card as written.",
        "es": "La tarea, la arquitectura, los límites y las notas de diseño se citan de la ficha del modelo "
        "tal como están escritos (en inglés).",
    },
    "model.design": {"en": "Design notes", "es": "Notas de diseño"},
    "model.col.setting": {"en": "Setting", "es": "Ajuste"},
    "model.col.value": {"en": "Value", "es": "Valor"},
    "model.col.f1": {"en": "F1", "es": "F1"},
    "model.set.split": {"en": "{corpus} ({split} set)", "es": "{corpus} (conjunto de {split})"},
    "model.set.without": {
        "en": "{set} with a model trained without them",
        "es": "{set} con un modelo entrenado sin ellos",
    },
    "model.corpus.tweets": {"en": "tweets", "es": "tuits"},
    "model.corpus.imdb": {"en": "film reviews (IMDB)", "es": "críticas de cine (IMDB)"},
    "model.lang.english": {"en": "English", "es": "inglés"},
    "model.lang.spanish": {"en": "Spanish", "es": "español"},
    "model.speed.per_second": {"en": "Texts per second · {corpus}", "es": "Textos por segundo · {corpus}"},
    "model.health.status.succeeded": {"en": "succeeded", "es": "correcta"},
    "model.health.status.failed": {"en": "failed", "es": "fallida"},
    "model.health.status.running": {"en": "running", "es": "en curso"},
    "model.health.status.cancelled": {"en": "cancelled", "es": "cancelada"},
    # Model page: "Adapt to your reviews" (dashboard/adapt_section.py)
    "adapt.title": {"en": "Adapt to your reviews", "es": "Adaptar a sus reseñas"},
    "adapt.intro": {
        "en": "Star ratings become training labels (1–2 of 5 negative, 3 neutral, 4–5 positive). The "
        "model is fine-tuned on 80% of your rated reviews and compared with the base model on the other "
        "20%; it can only be activated if it wins there.",
        "es": "Las estrellas se convierten en etiquetas (1–2 de 5 negativa, 3 neutral, 4–5 positiva). "
        "El modelo se ajusta con el 80% de sus reseñas valoradas y se compara con el modelo base en el "
        "20% restante; solo se puede activar si gana allí.",
    },
    "adapt.active": {
        "en": "Active model: {version} ({language})",
        "es": "Modelo activo: {version} ({language})",
    },
    "adapt.source": {"en": "Rated reviews from", "es": "Reseñas valoradas de"},
    "adapt.source.products": {"en": "Products in the store", "es": "Productos guardados"},
    "adapt.source.file": {"en": "A rated file (CSV/XLSX)", "es": "Un archivo valorado (CSV/XLSX)"},
    "adapt.products": {"en": "Products", "es": "Productos"},
    "adapt.products.all": {
        "en": "All products (choose to narrow)",
        "es": "Todos los productos (elija para acotar)",
    },
    "adapt.rescore.title": {"en": "Re-score stored reviews", "es": "Volver a puntuar reseñas guardadas"},
    "adapt.products.none": {
        "en": "No products stored yet: import reviews with ratings first, or upload a rated file.",
        "es": "Aún no hay productos: importe reseñas con valoración o suba un archivo valorado.",
    },
    "adapt.file": {"en": "Rated reviews file", "es": "Archivo de reseñas valoradas"},
    "adapt.column.text": {"en": "Review text column", "es": "Columna del texto"},
    "adapt.column.rating": {"en": "Rating column", "es": "Columna de la valoración"},
    "adapt.column.product": {"en": "Product column (optional)", "es": "Columna del producto (opcional)"},
    "adapt.cutoffs": {"en": "Label mapping", "es": "Correspondencia de etiquetas"},
    "adapt.cutoffs.negative": {"en": "Negative", "es": "Negativa"},
    "adapt.cutoffs.positive": {"en": "Positive", "es": "Positiva"},
    # adapt: stars, counts against the minimums, plain verdict (issue 17)
    "adapt.stars.up_to": {"en": "1 to {n} stars", "es": "de 1 a {n} estrellas"},
    "adapt.stars.from": {"en": "{n} to 5 stars", "es": "de {n} a 5 estrellas"},
    "adapt.stars.neutral": {"en": "Neutral: {stars} stars.", "es": "Neutral: {stars} estrellas."},
    "adapt.stars.no_neutral": {
        "en": "No star is left for neutral: the adapted model would never say neutral.",
        "es": "No queda ninguna estrella para neutral: el modelo adaptado nunca diría neutral.",
    },
    "adapt.stars.overlap": {
        "en": "Negative must end below where positive starts.",
        "es": "Negativa debe terminar antes de donde empieza positiva.",
    },
    "adapt.stars.scales": {
        "en": "Other scales map in proportion (on 1–10: 1–4 negative, 5–6 neutral, 7–10 positive).",
        "es": "Otras escalas se convierten en proporción (de 1 a 10: 1–4 negativa, 5–6 neutral, 7–10 "
        "positiva).",
    },
    "adapt.counts": {
        "en": "Reviews adaptation will use, per class (rated, each text once). It needs at least {total} in "
        "total and {per_class} in each class.",
        "es": "Reseñas que usará la adaptación, por clase (con valoración, cada texto una vez). Necesita al "
        "menos {total} en total y {per_class} en cada clase.",
    },
    "adapt.total": {"en": "Total", "es": "Total"},
    "adapt.short_by": {"en": "{n} short", "es": "faltan {n}"},
    "adapt.left_out": {
        "en": "Left out: {unrated:,} without a rating, {duplicates:,} repeating a text already counted.",
        "es": "Excluidas: {unrated:,} sin valoración, {duplicates:,} que repiten un texto ya contado.",
    },
    "adapt.plain.passed": {
        "en": "Better: on {n:,} of your reviews kept out of its training, the adapted model gets {adapted} "
        "right against {base} for the current one. You can activate it.",
        "es": "Mejor: en {n:,} de sus reseñas que no usó para entrenar, el modelo adaptado acierta el "
        "{adapted} frente al {base} del actual. Puede activarlo.",
    },
    "adapt.plain.failed": {
        "en": "Not better: on {n:,} of your reviews kept out of its training, the adapted model gets "
        "{adapted} right against {base} for the current one, so it cannot be activated. More rated reviews, "
        "especially of the smallest class, usually help.",
        "es": "No es mejor: en {n:,} de sus reseñas que no usó para entrenar, el modelo adaptado acierta el "
        "{adapted} frente al {base} del actual, así que no se puede activar. Más reseñas con valoración, "
        "sobre todo de la clase más pequeña, suelen ayudar.",
    },
    "adapt.gate_detail": {"en": "Test detail: {verdict}", "es": "Detalle de la prueba: {verdict}"},
    "adapt.agreement_note": {
        "en": 'Once active, "Ratings and text agree" on the Products page and "Agrees with stars" on the '
        "Overview are measured on all stored reviews, including the ones this version trained on, so they "
        "look better than the model is. The comparison above uses only reviews it never saw.",
        "es": 'Una vez activa, "Valoraciones y texto coinciden" en Productos y "Coincide con estrellas" '
        "en "
        "el Resumen se miden sobre todas las reseñas guardadas, incluidas las que esta versión usó para "
        "entrenar, así que parecen mejores de lo que es el modelo. La comparación de arriba solo usa reseñas "
        "que nunca vio.",
    },
    "adapt.passed.True": {"en": "yes", "es": "sí"},
    "adapt.passed.False": {"en": "no", "es": "no"},
    "adapt.language": {
        "en": "Language of these reviews: {language}",
        "es": "Idioma de estas reseñas: {language}",
    },
    "adapt.start": {"en": "Adapt the model", "es": "Adaptar el modelo"},
    "adapt.cancel": {"en": "Cancel", "es": "Cancelar"},
    "adapt.running": {"en": "Adapting…", "es": "Adaptando…"},
    "adapt.cancelled": {
        "en": "Adaptation cancelled; nothing was saved.",
        "es": "Adaptación cancelada; no se guardó nada.",
    },
    "adapt.failed": {"en": "Adaptation failed: {message}", "es": "La adaptación falló: {message}"},
    "adapt.comparison": {
        "en": "Base vs adapted on held-out reviews",
        "es": "Base frente a adaptado en reseñas reservadas",
    },
    "adapt.heldout": {
        "en": "{n} held-out reviews the adapted model never saw; both models scored the same ones.",
        "es": "{n} reseñas reservadas que el modelo adaptado nunca vio; ambos modelos puntuaron las mismas.",
    },
    "adapt.metric": {"en": "Metric", "es": "Métrica"},
    "adapt.base": {"en": "Base", "es": "Base"},
    "adapt.adapted": {"en": "Adapted", "es": "Adaptado"},
    "adapt.accuracy": {"en": "Accuracy", "es": "Exactitud"},
    "adapt.macro_f1": {"en": "Macro-F1", "es": "F1 macro"},
    "adapt.f1_of": {"en": "F1 {label}", "es": "F1 {label}"},
    "adapt.activate": {"en": "Activate this version", "es": "Activar esta versión"},
    "adapt.discard": {"en": "Discard this version", "es": "Descartar esta versión"},
    "adapt.activated": {"en": "{version} is now active.", "es": "{version} está activo."},
    "adapt.discarded": {"en": "{version} was deleted.", "es": "{version} se eliminó."},
    "adapt.versions": {"en": "Model versions", "es": "Versiones del modelo"},
    "adapt.col.version": {"en": "Version", "es": "Versión"},
    "adapt.col.active": {"en": "Active", "es": "Activa"},
    "adapt.col.created": {"en": "Created (UTC)", "es": "Creada (UTC)"},
    "adapt.col.language": {"en": "Language", "es": "Idioma"},
    "adapt.col.reviews": {"en": "Rated reviews", "es": "Reseñas valoradas"},
    "adapt.col.passed": {"en": "Passed gate", "es": "Superó la prueba"},
    "adapt.pick_version": {"en": "Version", "es": "Versión"},
    "adapt.activate_selected": {"en": "Activate", "es": "Activar"},
    "adapt.rollback": {"en": "Roll back to the base model", "es": "Volver al modelo base"},
    "adapt.rolled_back": {
        "en": "The base model is active again.",
        "es": "El modelo base vuelve a estar activo.",
    },
    "adapt.rescore": {
        "en": "Re-score with the active version",
        "es": "Volver a puntuar con la versión activa",
    },
    "adapt.rescore.help": {
        "en": "Adds the active version's predictions; earlier versions' predictions are kept for comparison.",
        "es": "Añade las predicciones de la versión activa; las de versiones anteriores se conservan.",
    },
    "adapt.rescored": {
        "en": "{n} reviews re-scored with {version}.",
        "es": "{n} reseñas puntuadas de nuevo con {version}.",
    },
    "adapt.no_store": {
        "en": "The review store is not available: {error}",
        "es": "El almacén no está disponible: {error}",
    },
    # products and imports to manage, per-review language, extra columns (issue 17: items 2, 10–13)
    "upload.summary.merged": {
        "en": "; product names merged (case and spaces ignored): {pairs}",
        "es": "; nombres de producto unificados (sin distinguir mayúsculas ni espacios): {pairs}",
    },
    "upload.summary.download_skipped": {
        "en": "Download the {n:,} skipped duplicates (CSV)",
        "es": "Descargar los {n:,} duplicados omitidos (CSV)",
    },
    "upload.skipped.repeat": {"en": "repeated within this import", "es": "repetida en esta importación"},
    "upload.skipped.stored": {"en": "already stored", "es": "ya guardada"},
    "manage.title": {"en": "Manage products and imports", "es": "Gestionar productos e importaciones"},
    "manage.intro": {
        "en": "Rename, merge or delete a product, or delete one import (the demo sample too). Each change "
        "is checked with you first and made all at once; predictions and charts follow.",
        "es": "Renombre, una o elimine un producto, o elimine una importación (también la muestra de "
        "demostración). Cada cambio se le confirma antes y se hace de una vez; las predicciones y los "
        "gráficos lo siguen.",
    },
    "manage.action": {"en": "Change", "es": "Cambio"},
    "manage.action.rename": {"en": "Rename a product", "es": "Renombrar un producto"},
    "manage.action.merge": {"en": "Merge products", "es": "Unir productos"},
    "manage.action.delete_product": {"en": "Delete a product", "es": "Eliminar un producto"},
    "manage.action.delete_import": {"en": "Delete an import", "es": "Eliminar una importación"},
    "manage.product": {"en": "Product", "es": "Producto"},
    "manage.new_name": {"en": "New name", "es": "Nombre nuevo"},
    "manage.merge_sources": {"en": "Merge these products…", "es": "Unir estos productos…"},
    "manage.merge_target": {"en": "…into this one", "es": "…en este"},
    "manage.import": {"en": "Import", "es": "Importación"},
    "manage.import_option": {
        "en": "#{id} · {name} · {when} · {n:,} reviews",
        "es": "#{id} · {name} · {when} · {n:,} reseñas",
    },
    "manage.review": {"en": "Review the change", "es": "Revisar el cambio"},
    "manage.confirm": {"en": "Confirm", "es": "Confirmar"},
    "manage.cancel": {"en": "Cancel", "es": "Cancelar"},
    "manage.no_products": {"en": "No products stored yet.", "es": "Aún no hay productos guardados."},
    "manage.no_imports": {"en": "No imports stored yet.", "es": "Aún no hay importaciones guardadas."},
    "manage.merge_need": {
        "en": "Choose at least one product to merge, other than the one it goes into.",
        "es": "Elija al menos un producto que unir, distinto de aquel en el que se une.",
    },
    "manage.rename_need": {"en": "Type the new name.", "es": "Escriba el nombre nuevo."},
    "manage.rename_taken": {
        "en": "A product named “{name}” already exists: merge the two instead.",
        "es": "Ya existe un producto llamado «{name}»: una los dos en su lugar.",
    },
    "manage.confirm.rename": {
        "en": "Rename “{old}” to “{new}”? Its reviews, labels and charts keep everything else.",
        "es": "¿Renombrar «{old}» como «{new}»? Sus reseñas, etiquetas y gráficos no cambian en nada más.",
    },
    "manage.confirm.merge": {
        "en": "Merge {sources} ({n:,} reviews) into “{target}”? Reviews “{target}” already has are dropped; "
        "the merged products disappear.",
        "es": "¿Unir {sources} ({n:,} reseñas) en «{target}»? Las reseñas que «{target}» ya tiene se "
        "descartan; los productos unidos desaparecen.",
    },
    "manage.confirm.delete_product": {
        "en": "Delete “{name}” with its {n:,} reviews and their labels? This cannot be undone.",
        "es": "¿Eliminar «{name}» con sus {n:,} reseñas y sus etiquetas? No se puede deshacer.",
    },
    "manage.confirm.delete_import": {
        "en": "Delete import #{id} with the {n:,} reviews it stored (products: {products})? Products left "
        "without reviews go too. This cannot be undone.",
        "es": "¿Eliminar la importación n.º {id} con las {n:,} reseñas que guardó (productos: {products})? "
        "Los productos que se queden sin reseñas también se eliminan. No se puede deshacer.",
    },
    "manage.done.rename": {"en": "Renamed “{old}” to “{new}”.", "es": "«{old}» renombrado como «{new}»."},
    "manage.done.merge": {
        "en": "Merged into “{target}”: {moved:,} reviews moved, {duplicates:,} already there dropped.",
        "es": "Unido en «{target}»: {moved:,} reseñas movidas, {duplicates:,} que ya estaban descartadas.",
    },
    "manage.done.delete_product": {
        "en": "Deleted “{name}” and its {n:,} reviews.",
        "es": "«{name}» eliminado con sus {n:,} reseñas.",
    },
    "manage.done.delete_import": {
        "en": "Deleted import #{id} and its {n:,} reviews.",
        "es": "Importación n.º {id} eliminada con sus {n:,} reseñas.",
    },
    "manage.failed": {"en": "Nothing was changed: {error}", "es": "No se cambió nada: {error}"},
    "language.name.english": {"en": "English", "es": "inglés"},
    "language.name.spanish": {"en": "Spanish", "es": "español"},
    "language.note": {
        "en": "{name}: the active model reads {model}; adapt it on rated {name} reviews",
        "es": "{name}: el modelo activo lee {model}; adáptelo con reseñas valoradas en {name}",
    },
    # issue 17 items 13 and 2: the file's other columns as filters; text the model does not read
    "extra.filters": {
        "en": "More filters: the file's other columns ({n})",
        "es": "Más filtros: las otras columnas del archivo ({n})",
    },
    "extra.filters_help": {
        "en": "Columns of the imported files besides text, title, rating, date, product and author "
        "(verified purchase, helpful votes, channel…). A review without the column is left out once it "
        "is narrowed.",
        "es": "Columnas de los archivos importados además de texto, título, valoración, fecha, producto y "
        "autor (compra verificada, votos útiles, canal…). Una reseña sin esa columna queda fuera en cuanto "
        "se acota.",
    },
    "extra.any": {"en": "Any", "es": "Cualquiera"},
    "col.language_note": {"en": "Language", "es": "Idioma"},
    "language.count": {
        "en": "{n:,} of {total:,} reviews of {product} · {note}",
        "es": "{n:,} de {total:,} reseñas de {product} · {note}",
    },
    "language.adapt_link": {
        "en": "Adapt the model on the Model page",
        "es": "Adaptar el modelo en la página Modelo",
    },
    "analyze.language_note": {
        "en": "{note}. The label below is unreliable.",
        "es": "{note}. La etiqueta de abajo no es fiable.",
    },
}


class _Localized:
    """A number that formats with the language's separators: `{n:,}` gives 1.448 and `{x:.1f}` 3,7
    in Spanish."""

    def __init__(self, value: int | float, lang: str) -> None:
        self.value, self.lang = value, lang

    def __format__(self, spec: str) -> str:
        return number(self.value, self.lang, spec)


def number(value: float, lang: str = DEFAULT_LANGUAGE, spec: str = ",") -> str:
    """`format(value, spec)` with the separators of `lang`: 1,448 and 3.7 in English, 1.448 and 3,7 in
    Spanish (the thousands separator is left out of Spanish four-digit numbers only by style guides
    the analysts do not follow, so it is always written)."""
    text = format(value, spec)
    if lang != "es":
        return text
    return text.translate({ord(","): ".", ord("."): ","})


def translate(key: str, lang: str = DEFAULT_LANGUAGE, **values: object) -> str:
    """The text for `key` in `lang` (English if that language lacks it), formatted with `values`
    (numbers with the language's separators). An unknown key comes back as itself, so a typo shows
    on screen instead of crashing a page.
    """
    entry = STRINGS.get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry[DEFAULT_LANGUAGE]
    if not values:
        return text
    localized = {
        name: _Localized(v, lang) if isinstance(v, int | float) and not isinstance(v, bool) else v
        for name, v in values.items()
    }
    return text.format(**localized)


def label_name(label: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """Display name of a sentiment label: Negative / Neutral / Positive, or the Spanish names."""
    names = LABEL_NAMES.get(label)
    if names is None:
        return str(label)
    return names.get(lang, names[DEFAULT_LANGUAGE])


def current_language() -> str:
    """The language chosen in the sidebar for this session (English until one is chosen)."""
    import streamlit as st

    lang = st.session_state.get(LANG_KEY, DEFAULT_LANGUAGE)
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, **values: object) -> str:
    """`translate` in the session's language: what pages call."""
    return translate(key, current_language(), **values)
