"""Analysis of saved results: statistics over seeds (``statistics``), a saved comparison folder
(``comparison``), figures (``plots``), the report's sections (``report``) and its rendering to
HTML and Markdown (``render``). Never imported by the model; reads only tables on disk."""
